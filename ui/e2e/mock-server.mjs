#!/usr/bin/env node
// Dev-only mock of the ClinicDesk API (docs/API.md), with in-memory demo data, serving ui/dist.
// It exists so the UI can be looked at and the e2e script exercised before the Rust server is
// ready. It is NOT the contract: the real check is against the Rust server.
//
//   node e2e/mock-server.mjs            # http://127.0.0.1:8787
//   PORT=9000 MOCK_ACCESS_TTL=5 node e2e/mock-server.mjs   # short-lived access tokens
//
// Demo users: admin, manager, doctor, staff — password clinicdesk-demo.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT ?? 8787);
const HOST = process.env.HOST ?? '127.0.0.1';
const ACCESS_TTL = Number(process.env.MOCK_ACCESS_TTL ?? 900);
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Helpers

const pad = (n) => String(n).padStart(2, '0');
const isoDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const today = () => isoDate(new Date());
const addDays = (date, n) => {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + n);
  return isoDate(d);
};
const daysBetween = (a, b) => Math.round((new Date(`${b}T00:00:00`) - new Date(`${a}T00:00:00`)) / 86400000);
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

// ---------------------------------------------------------------------------------------------
// Catalogue

const SERVICES = [
  { service_type: 'brain', name: '브레인 피드백', name_en: 'Brain feedback', duration_minutes: 40, price: 80000 },
  { service_type: 'pulse', name: '펄스 케어', name_en: 'Pulse care', duration_minutes: 30, price: 60000 },
  { service_type: 'lymph', name: '림프 순환', name_en: 'Lymph circulation', duration_minutes: 50, price: 90000 },
  { service_type: 'red', name: '레드 테라피', name_en: 'Red therapy', duration_minutes: 30, price: 50000 },
  { service_type: 'ai_bike', name: 'AI 바이크', name_en: 'AI bike', duration_minutes: 20, price: 30000 },
];
const SERVICE_TYPES = SERVICES.map((s) => s.service_type);

const TEMPLATES = [
  { package_id: randomUUID(), name: '프리미엄 케어', description: '4가지 케어 각 10회', price: 1500000, validity_days: 90, sessions: { brain: 10, pulse: 10, lymph: 10, red: 10 } },
  { package_id: randomUUID(), name: '브레인 집중 패키지', description: '브레인 피드백 10회 + AI 바이크 5회', price: 700000, validity_days: 60, sessions: { brain: 10, ai_bike: 5 } },
  { package_id: randomUUID(), name: '림프 순환 5회권', description: null, price: 380000, validity_days: 30, sessions: { lymph: 5 } },
  { package_id: randomUUID(), name: '웰니스 스타터', description: '처음 오신 분을 위한 체험 패키지', price: 250000, validity_days: 30, sessions: { pulse: 2, red: 2, ai_bike: 2 } },
].map((t) => ({ ...t, total_sessions: Object.values(t.sessions).reduce((a, b) => a + b, 0) }));

const USERS = {
  admin: { id: randomUUID(), username: 'admin', display_name: '김관리', role: 'admin' },
  manager: { id: randomUUID(), username: 'manager', display_name: '박매니저', role: 'manager' },
  doctor: { id: randomUUID(), username: 'doctor', display_name: '이의사', role: 'doctor' },
  staff: { id: randomUUID(), username: 'staff', display_name: '최직원', role: 'staff' },
};
const PASSWORD = 'clinicdesk-demo';

// ---------------------------------------------------------------------------------------------
// Demo data

const customers = new Map();
const usages = []; // package purchases
const sessions = []; // visits
const interactions = [];

const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권'];
const GIVEN = ['영희', '민수', '지은', '서준', '하은', '도윤', '수빈', '예준', '지우', '현우', '서연', '민준', '채원', '지호', '유진', '태희', '은서', '건우', '다인', '시우'];
const STAFF = ['최직원', '정간호', '한상담'];
const ADDR = ['서울시 강남구 테헤란로 12', '서울시 서초구 반포대로 45', '경기도 성남시 분당구 판교로 7', '서울시 송파구 올림픽로 300'];
const INTERESTS = ['stress_management', 'sleep_quality', 'weight_management', 'pain_relief', 'immunity', 'circulation', 'fitness', 'focus', 'allergy_care', 'skin_care'];

function makeCustomer(i) {
  const name = SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length];
  const id = randomUUID();
  const phone = `010-${String(1000 + ((i * 3571) % 9000)).padStart(4, '0')}-${String(1000 + ((i * 7919) % 9000)).padStart(4, '0')}`;
  return {
    id,
    customer_id: id,
    name,
    phone,
    email: `user${i + 1}@example.com`,
    birth_year: 1960 + ((i * 13) % 40),
    gender: i % 3 === 0 ? 'male' : 'female',
    address: pick(ADDR),
    emergency_contact: `010-${String(2000 + i).padStart(4, '0')}-${String(5000 + i).padStart(4, '0')}`,
    occupation: pick(['회사원', '자영업', '교사', '프리랜서', '주부', '공무원']),
    membership_level: pick(['basic', 'basic', 'premium', 'vip']),
    customer_status: 'active',
    health_goals: pick(['스트레스 해소, 수면 개선', '체중 감량', '혈액 순환 개선', '집중력 향상']),
    health_interests: [pick(INTERESTS), pick(INTERESTS)].filter((v, j, a) => a.indexOf(v) === j),
    preferred_intensity: pick(['low', 'medium', 'high']),
    preferred_time_slots: [pick(['morning', 'afternoon', 'evening']), ...(rand() > 0.5 ? ['weekend'] : [])],
    preferred_services: [pick(SERVICE_TYPES), pick(SERVICE_TYPES)].filter((v, j, a) => a.indexOf(v) === j),
    assigned_staff: pick(STAFF),
    memo: rand() > 0.7 ? '알레르기 비염 있음. 오전 예약 선호.' : null,
    communication_preferences: { preferred_channels: [pick(['kakao', 'phone', 'sms'])], contact_time: pick(['morning', 'afternoon', 'evening']) },
    consent: { privacy: true, marketing: rand() > 0.4, health_data: rand() > 0.3, updated_at: now() },
    created_at: now(),
    updated_at: now(),
  };
}

function addUsage(customerId, tpl, purchaseDate) {
  const u = {
    package_usage_id: randomUUID(),
    package_id: tpl.package_id,
    customer_id: customerId,
    package_name: tpl.name,
    purchase_date: purchaseDate,
    expiry_date: addDays(purchaseDate, tpl.validity_days),
    price_paid: tpl.price,
    payment_method: 'card',
    sessions: { ...tpl.sessions },
    created_at: now(),
  };
  usages.push(u);
  return u;
}

function addSession(customerId, service, date, usage, extra = {}) {
  const svc = SERVICES.find((s) => s.service_type === service);
  const s = {
    session_id: randomUUID(),
    customer_id: customerId,
    service_date: date,
    service_type: service,
    service_name: svc.name,
    duration_minutes: svc.duration_minutes,
    satisfaction_rating: 3 + Math.floor(rand() * 3),
    session_notes: rand() > 0.6 ? pick(['컨디션 좋음', '수면 개선 체감', '어깨 결림 완화', '다음 방문 시 강도 조절']) : null,
    staff_name: pick(STAFF),
    package_usage_id: usage?.package_usage_id ?? null,
    package_name: usage?.package_name ?? null,
    amount: usage ? 0 : svc.price,
    cancelled: false,
    created_at: now(),
    ...extra,
  };
  sessions.push(s);
  return s;
}

for (let i = 0; i < 42; i++) {
  const c = makeCustomer(i);
  customers.set(c.id, c);
  const kind = i % 6;
  if (kind === 5) continue; // no visits yet
  const ago = kind === 4 ? 120 : kind === 3 ? 60 : 5 + (i % 20);
  const tpl = TEMPLATES[i % 2 === 0 ? 0 : 1];
  const purchase = addDays(today(), -(ago + 20 + (i % 30)));
  const u = kind === 4 ? addUsage(c.id, TEMPLATES[2], addDays(today(), -160)) : addUsage(c.id, tpl, purchase);
  const services = Object.keys(u.sessions);
  const visits = 3 + (i % 7);
  for (let v = 0; v < visits; v++) {
    const d = addDays(today(), -(ago + (visits - 1 - v) * 6));
    if (d < u.purchase_date || d > u.expiry_date) addSession(c.id, pick(SERVICE_TYPES), d, null);
    else addSession(c.id, services[v % services.length], d, u);
  }
  if (i % 7 === 1) addUsage(c.id, TEMPLATES[3], addDays(today(), -25));
  if (i % 5 === 0) {
    interactions.push({
      id: randomUUID(),
      customer_id: c.id,
      date: `${addDays(today(), -3)}T05:30:00Z`,
      type: 'call',
      duration_minutes: 5,
      notes: '패키지 만료 안내 전화',
      outcome: '재구매 고려 중',
      staff_name: '최직원',
      follow_up: { required: true, date: `${addDays(today(), 4)}T01:00:00Z`, type: 'call', notes: '재구매 의사 확인' },
    });
  }
}
// A fixed, easy-to-find customer for the e2e test and for looking at the screens.
{
  const c = { ...makeCustomer(99), name: '김영희', phone: '010-1234-5678', email: 'kim@example.com', membership_level: 'vip' };
  customers.set(c.id, c);
  const u = addUsage(c.id, TEMPLATES[0], addDays(today(), -65));
  for (let v = 0; v < 12; v++) addSession(c.id, ['brain', 'pulse', 'lymph', 'brain'][v % 4], addDays(today(), -64 + v * 5), u);
  addSession(c.id, 'red', addDays(today(), -20), u, { cancelled: true });
  addUsage(c.id, TEMPLATES[1], addDays(today(), -10));
}

// ---------------------------------------------------------------------------------------------
// Derived state

function usageView(u) {
  const breakdown = {};
  let used = 0;
  let total = 0;
  for (const [svc, n] of Object.entries(u.sessions)) {
    const k = sessions.filter((s) => s.package_usage_id === u.package_usage_id && s.service_type === svc && !s.cancelled).length;
    breakdown[svc] = { total: n, used: k, remaining: Math.max(0, n - k) };
    used += Math.min(k, n);
    total += n;
  }
  const overdrawn = Object.values(breakdown).reduce((a, b) => a + Math.max(0, b.used - b.total), 0);
  const days = daysBetween(today(), u.expiry_date);
  const remaining = total - used;
  let status = 'active';
  if (days < 0 || remaining <= 0) status = 'expired';
  else if (days <= 14 || remaining <= total * 0.2) status = 'expiring';
  return {
    package_usage_id: u.package_usage_id,
    package_id: u.package_id,
    package_name: u.package_name,
    purchase_date: u.purchase_date,
    expiry_date: u.expiry_date,
    price_paid: u.price_paid,
    payment_method: u.payment_method,
    total_sessions: total,
    used_sessions: used,
    remaining_sessions: remaining,
    usage_rate: total ? Math.round((used / total) * 1000) / 10 : 0,
    days_remaining: days,
    package_status: status,
    overdrawn_sessions: overdrawn,
    service_breakdown: breakdown,
  };
}

function stats(c) {
  const visits = sessions.filter((s) => s.customer_id === c.id && !s.cancelled).sort((a, b) => a.service_date.localeCompare(b.service_date));
  const first = visits[0]?.service_date ?? null;
  const last = visits.at(-1)?.service_date ?? null;
  const interval = visits.length > 1 ? Math.round(daysBetween(first, last) / (visits.length - 1)) : null;
  const revenue = usages.filter((u) => u.customer_id === c.id).reduce((a, u) => a + u.price_paid, 0) + visits.reduce((a, s) => a + (s.amount ?? 0), 0);
  const rated = visits.filter((s) => s.satisfaction_rating);
  const avg = rated.length ? Math.round((rated.reduce((a, s) => a + s.satisfaction_rating, 0) / rated.length) * 10) / 10 : null;
  const since = last ? daysBetween(last, today()) : 9999;
  const risk = since <= 45 ? 'stable' : since <= 90 ? 'warning' : 'danger';
  return { first_visit_date: first, last_visit_date: last, total_visits: visits.length, average_visit_interval: interval, total_revenue: revenue, average_satisfaction: avg, risk_level: risk };
}

const mask = {
  phone: (v) => (v ? v.replace(/^(\d{2,3})-(\d{3,4})-(\d{4})$/, (_, a, _b, c) => `${a}-****-${c}`) : v),
  email: (v) => (v ? v.replace(/^(.)[^@]*@/, '$1***@') : v),
  address: (v) => (v ? `${v.split(' ').slice(0, 2).join(' ')} ***` : v),
};

function completeness(c) {
  const keys = ['name', 'phone', 'email', 'birth_year', 'gender', 'address', 'emergency_contact', 'occupation', 'preferred_services', 'preferred_time_slots'];
  const filled = keys.filter((k) => c[k] !== null && c[k] !== undefined && c[k] !== '' && !(Array.isArray(c[k]) && !c[k].length)).length;
  return Math.round((filled / keys.length) * 100) / 100;
}

function customerView(c, user) {
  const v = { ...c, ...stats(c), profile_completeness: completeness(c) };
  if (user.role === 'staff') {
    v.phone = mask.phone(v.phone);
    v.emergency_contact = mask.phone(v.emergency_contact);
    v.email = mask.email(v.email);
    v.address = mask.address(v.address);
  }
  if (user.role !== 'doctor' && user.role !== 'admin') {
    v.health_goals = null;
    v.health_interests = null;
    v.preferred_intensity = null;
  }
  return v;
}

function sessionView(s) {
  return { ...s };
}

// ---------------------------------------------------------------------------------------------
// Auth

const accessTokens = new Map(); // token -> { user, exp, sid }
const refreshTokens = new Map(); // token -> { user, sid }

function issue(user, sid = randomUUID()) {
  const access = `at_${randomUUID()}`;
  const refresh = `rt_${randomUUID()}`;
  accessTokens.set(access, { user, exp: Date.now() + ACCESS_TTL * 1000, sid });
  refreshTokens.set(refresh, { user, sid });
  return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: ACCESS_TTL, user };
}

class HttpError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

function authUser(req) {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(h);
  if (!m) throw new HttpError(401, 'AUTH_INVALID_TOKEN', '인증 토큰이 없습니다');
  const t = accessTokens.get(m[1]);
  if (!t) throw new HttpError(401, 'AUTH_INVALID_TOKEN', '유효하지 않은 토큰입니다');
  if (t.exp < Date.now()) throw new HttpError(401, 'AUTH_EXPIRED_TOKEN', '토큰이 만료되었습니다');
  return { ...t.user, sid: t.sid, token: m[1] };
}

// ---------------------------------------------------------------------------------------------
// Validation

const ENUMS = {
  gender: ['male', 'female', 'other'],
  membership_level: ['basic', 'premium', 'vip'],
  customer_status: ['active', 'inactive', 'dormant'],
  preferred_intensity: ['low', 'medium', 'high'],
};
const LISTS = {
  preferred_time_slots: ['morning', 'afternoon', 'evening', 'weekend'],
  preferred_services: SERVICE_TYPES,
  health_interests: INTERESTS,
};
const WRITABLE = ['name', 'phone', 'email', 'birth_year', 'gender', 'address', 'emergency_contact', 'occupation', 'membership_level', 'customer_status', 'health_goals', 'health_interests', 'preferred_intensity', 'preferred_time_slots', 'preferred_services', 'assigned_staff', 'memo', 'communication_preferences', 'consent'];
const HEALTH = ['health_goals', 'health_interests', 'preferred_intensity'];
const PHONE = /^0\d{1,2}-\d{3,4}-\d{4}$/;

function invalid(field, message, details = {}) {
  return new HttpError(422, 'VALIDATION_ERROR', message, { field, details: { field, ...details } });
}

function validateCustomer(body, user, creating) {
  for (const k of Object.keys(body)) if (!WRITABLE.includes(k)) throw invalid(k, `알 수 없는 필드입니다: ${k}`, { received_value: k });
  for (const k of HEALTH) if (k in body && user.role !== 'doctor' && user.role !== 'admin') throw new HttpError(403, 'FORBIDDEN_ROLE', '건강 정보를 수정할 권한이 없습니다', { field: k });
  if (creating) {
    if (!body.name) throw invalid('name', '이름은 필수입니다');
    if (!body.phone) throw invalid('phone', '연락처는 필수입니다');
  }
  if ('name' in body && (typeof body.name !== 'string' || !body.name.trim())) throw invalid('name', '이름은 비워 둘 수 없습니다');
  if ('name' in body && body.name.length > 50) throw invalid('name', '이름이 너무 깁니다', { max_length: 50, received_value: body.name });
  for (const k of ['phone', 'emergency_contact']) {
    if (body[k] !== undefined && body[k] !== null && !PHONE.test(body[k])) throw invalid(k, '전화번호 형식이 올바르지 않습니다 (예: 010-1234-5678)', { received_value: body[k] });
  }
  if (body.phone === null) throw invalid('phone', '연락처는 비워 둘 수 없습니다');
  if (body.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) throw invalid('email', '이메일 형식이 올바르지 않습니다', { received_value: body.email });
  if (body.birth_year !== undefined && body.birth_year !== null && (!Number.isInteger(body.birth_year) || body.birth_year < 1900 || body.birth_year > new Date().getFullYear()))
    throw invalid('birth_year', '출생연도가 올바르지 않습니다', { received_value: body.birth_year });
  for (const [k, allowed] of Object.entries(ENUMS)) {
    if (body[k] !== undefined && body[k] !== null && !allowed.includes(body[k])) throw invalid(k, `허용되지 않는 값입니다: ${body[k]}`, { allowed_values: allowed, received_value: body[k] });
  }
  for (const [k, allowed] of Object.entries(LISTS)) {
    if (body[k] === undefined || body[k] === null) continue;
    if (!Array.isArray(body[k])) throw invalid(k, '목록이어야 합니다');
    const bad = body[k].find((v) => !allowed.includes(v));
    if (bad) throw invalid(k, `허용되지 않는 값입니다: ${bad}`, { allowed_values: allowed, received_value: bad });
  }
  const cp = body.communication_preferences;
  if (cp) {
    const bad = (cp.preferred_channels ?? []).find((v) => !['phone', 'sms', 'kakao', 'email'].includes(v));
    if (bad) throw invalid('communication_preferences.preferred_channels', `허용되지 않는 값입니다: ${bad}`, { allowed_values: ['phone', 'sms', 'kakao', 'email'] });
    if (cp.contact_time && !LISTS.preferred_time_slots.includes(cp.contact_time)) throw invalid('communication_preferences.contact_time', '허용되지 않는 값입니다', { allowed_values: LISTS.preferred_time_slots });
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

function requireCustomer(id) {
  const c = customers.get(id);
  if (!c) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', '고객을 찾을 수 없습니다');
  return c;
}

const routes = [];
const route = (method, pattern, handler) => routes.push({ method, re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`), handler });

route('POST', '/api/v1/auth/login', ({ body }) => {
  const u = USERS[body?.username];
  if (!u || body?.password !== PASSWORD) throw new HttpError(401, 'AUTH_INVALID_CREDENTIALS', '아이디 또는 비밀번호가 올바르지 않습니다');
  return issue(u);
});
route('POST', '/api/v1/auth/refresh', ({ body }) => {
  const r = refreshTokens.get(body?.refresh_token);
  if (!r) throw new HttpError(401, 'AUTH_INVALID_TOKEN', '유효하지 않은 갱신 토큰입니다');
  refreshTokens.delete(body.refresh_token);
  return issue(r.user, r.sid);
});
route('POST', '/api/v1/auth/logout', ({ user }) => {
  for (const [k, v] of accessTokens) if (v.sid === user.sid) accessTokens.delete(k);
  for (const [k, v] of refreshTokens) if (v.sid === user.sid) refreshTokens.delete(k);
  return { logged_out: true };
});
route('GET', '/api/v1/auth/me', ({ user }) => USERS[user.username]);

route('GET', '/api/v1/services', () => ({ services: SERVICES }));
route('GET', '/api/v1/packages', () => ({ packages: TEMPLATES }));

route('GET', '/api/v1/customers/search', ({ query, user }) => {
  const q = (query.get('q') ?? '').trim().toLowerCase();
  const digits = q.replace(/\D/g, '');
  const svc = (query.get('service_filter') ?? '').split(',').filter(Boolean);
  const ps = query.get('package_status');
  const ml = query.get('membership_level');
  const rl = query.get('risk_level');
  const from = query.get('last_visit_from');
  const to = query.get('last_visit_to');
  const sortBy = query.get('sort_by') ?? 'name';
  const order = query.get('sort_order') ?? (sortBy === 'name' ? 'asc' : 'desc');
  const page = Math.max(1, Number(query.get('page') ?? 1));
  const size = Math.min(100, Math.max(1, Number(query.get('size') ?? 20)));
  for (const [k, v, allowed] of [
    ['package_status', ps, ['active', 'expiring', 'expired']],
    ['membership_level', ml, ENUMS.membership_level],
    ['risk_level', rl, ['stable', 'warning', 'danger']],
    ['sort_by', sortBy, ['name', 'last_visit', 'total_visits', 'revenue']],
  ]) {
    if (v && !allowed.includes(v)) throw invalid(k, `허용되지 않는 값입니다: ${v}`, { allowed_values: allowed, received_value: v });
  }
  let rows = [...customers.values()].map((c) => {
    const st = stats(c);
    const pk = usages.filter((u) => u.customer_id === c.id).map(usageView);
    return { c, st, pk };
  });
  rows = rows.filter(({ c, st, pk }) => {
    if (q && !(c.name.toLowerCase().includes(q) || (digits.length >= 3 && c.phone.replace(/\D/g, '').includes(digits)) || (c.email ?? '').toLowerCase().includes(q))) return false;
    if (svc.length && !svc.some((s) => sessions.some((x) => x.customer_id === c.id && x.service_type === s) || pk.some((p) => p.service_breakdown[s]))) return false;
    if (ps && !pk.some((p) => p.package_status === ps)) return false;
    if (ml && c.membership_level !== ml) return false;
    if (rl && st.risk_level !== rl) return false;
    if (from && (!st.last_visit_date || st.last_visit_date < from)) return false;
    if (to && (!st.last_visit_date || st.last_visit_date > to)) return false;
    return true;
  });
  const key = { name: (r) => r.c.name, last_visit: (r) => r.st.last_visit_date ?? '', total_visits: (r) => r.st.total_visits, revenue: (r) => r.st.total_revenue }[sortBy];
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const d = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'ko');
    return order === 'asc' ? d : -d;
  });
  const total = rows.length;
  const slice = rows.slice((page - 1) * size, page * size);
  const abbrev = { brain: '브', pulse: '펄', lymph: '림', red: '레', ai_bike: 'AI' };
  return {
    customers: slice.map(({ c, st, pk }) => {
      const active = pk.filter((p) => p.package_status !== 'expired');
      const v = customerView(c, user);
      return {
        id: c.id,
        customer_id: c.id,
        name: c.name,
        phone: v.phone,
        first_visit_date: st.first_visit_date,
        last_visit_date: st.last_visit_date,
        total_visits: st.total_visits,
        active_package: active[0]?.package_name ?? null,
        package_usage_summary: active[0] ? Object.entries(active[0].service_breakdown).map(([s, b]) => `${abbrev[s]}${b.used}/${b.total}`).join(' ') : null,
        membership_level: c.membership_level,
        risk_level: st.risk_level,
        total_revenue: st.total_revenue,
      };
    }),
    pagination: { total, page, size, total_pages: Math.max(1, Math.ceil(total / size)) },
    filters_applied: Object.fromEntries([...query.entries()].filter(([k]) => !['page', 'size'].includes(k))),
  };
});

route('POST', '/api/v1/customers', ({ body, user, res }) => {
  validateCustomer(body, user, true);
  const dup = [...customers.values()].find((c) => c.name === body.name && c.phone === body.phone);
  if (dup) throw new HttpError(409, 'DUPLICATE_CUSTOMER', '같은 이름과 연락처의 고객이 이미 있습니다', { details: { existing_customer_id: dup.id } });
  const id = randomUUID();
  const c = {
    id,
    customer_id: id,
    name: null, phone: null, email: null, birth_year: null, gender: null, address: null, emergency_contact: null, occupation: null,
    membership_level: 'basic', customer_status: 'active', health_goals: null, health_interests: [], preferred_intensity: null,
    preferred_time_slots: [], preferred_services: [], assigned_staff: null, memo: null,
    communication_preferences: { preferred_channels: [], contact_time: null }, consent: { privacy: false, marketing: false, health_data: false, updated_at: now() },
    ...body,
    created_at: now(),
    updated_at: now(),
  };
  customers.set(id, c);
  res.statusCode = 201;
  return customerView(c, user);
});
route('GET', '/api/v1/customers/:id', ({ params, user }) => customerView(requireCustomer(params.id), user));
route('PUT', '/api/v1/customers/:id', ({ params, body, user }) => {
  const c = requireCustomer(params.id);
  validateCustomer(body, user, false);
  const changes = {};
  for (const [k, v] of Object.entries(body)) {
    changes[k] = `${JSON.stringify(c[k])} → ${JSON.stringify(v)}`;
    c[k] = k === 'consent' ? { ...v, updated_at: now() } : v;
  }
  c.updated_at = now();
  return { id: c.id, updated_fields: Object.keys(body), profile_completeness: completeness(c), last_updated: c.updated_at, changes_summary: changes };
});
route('GET', '/api/v1/customers/:id/detail', ({ params, query, user }) => {
  const c = requireCustomer(params.id);
  const limit = Number(query.get('history_limit') ?? 50);
  const v = customerView(c, user);
  return {
    customer: v,
    serviceHistory: sessions
      .filter((s) => s.customer_id === c.id)
      .sort((a, b) => b.service_date.localeCompare(a.service_date) || b.created_at.localeCompare(a.created_at))
      .slice(0, limit)
      .map(sessionView),
    activePackages: usages.filter((u) => u.customer_id === c.id).map(usageView).filter((p) => p.package_status !== 'expired'),
    preferences: {
      preferred_services: c.preferred_services,
      preferred_time: c.preferred_time_slots?.[0] ?? null,
      preferred_intensity: v.preferred_intensity,
      health_interests: v.health_interests,
      communication_preference: c.communication_preferences?.preferred_channels?.[0] ?? null,
      marketing_consent: c.consent?.marketing ?? null,
    },
  };
});
route('GET', '/api/v1/customers/:id/packages', ({ params, query }) => {
  requireCustomer(params.id);
  const st = query.get('status') ?? 'all';
  return { packages: usages.filter((u) => u.customer_id === params.id).map(usageView).filter((p) => st === 'all' || p.package_status === st) };
});
route('POST', '/api/v1/customers/:id/packages', ({ params, body, res }) => {
  requireCustomer(params.id);
  const tpl = TEMPLATES.find((x) => x.package_id === body?.package_id);
  if (!tpl) throw new HttpError(404, 'PACKAGE_NOT_FOUND', '패키지를 찾을 수 없습니다');
  if (body.payment_method && !['card', 'cash', 'transfer'].includes(body.payment_method)) throw invalid('payment_method', '허용되지 않는 결제 수단', { allowed_values: ['card', 'cash', 'transfer'] });
  const u = addUsage(params.id, tpl, body.purchase_date ?? today());
  if (body.price_paid !== undefined) u.price_paid = body.price_paid;
  if (body.payment_method) u.payment_method = body.payment_method;
  res.statusCode = 201;
  return usageView(u);
});
route('POST', '/api/v1/customers/:id/sessions', ({ params, body, res }) => {
  requireCustomer(params.id);
  if (!SERVICE_TYPES.includes(body?.service_type)) throw invalid('service_type', '허용되지 않는 서비스입니다', { allowed_values: SERVICE_TYPES, received_value: body?.service_type });
  if (body.satisfaction_rating !== undefined && body.satisfaction_rating !== null && !(body.satisfaction_rating >= 1 && body.satisfaction_rating <= 5))
    throw invalid('satisfaction_rating', '만족도는 1~5 사이여야 합니다', { received_value: body.satisfaction_rating });
  const date = body.service_date ?? today();
  let usage = null;
  if (body.package_usage_id) {
    usage = usages.find((u) => u.package_usage_id === body.package_usage_id && u.customer_id === params.id);
    if (!usage) throw new HttpError(404, 'PACKAGE_NOT_FOUND', '패키지를 찾을 수 없습니다');
    const view = usageView(usage);
    const b = view.service_breakdown[body.service_type];
    if (!b) throw new HttpError(422, 'SERVICE_NOT_IN_PACKAGE', '패키지에 포함되지 않은 서비스입니다', { field: 'service_type' });
    if (date > usage.expiry_date || date < usage.purchase_date) throw new HttpError(409, 'PACKAGE_EXPIRED', '패키지 유효기간이 아닙니다');
    if (b.remaining <= 0) throw new HttpError(409, 'PACKAGE_EXHAUSTED', '남은 횟수가 없습니다');
  }
  const s = addSession(params.id, body.service_type, date, usage, {
    duration_minutes: body.duration_minutes ?? SERVICES.find((x) => x.service_type === body.service_type).duration_minutes,
    satisfaction_rating: body.satisfaction_rating ?? null,
    session_notes: body.session_notes ?? null,
    staff_name: body.staff_name ?? null,
  });
  res.statusCode = 201;
  return sessionView(s);
});
route('POST', '/api/v1/sessions/:id/cancel', ({ params, body, user }) => {
  if (user.role !== 'manager' && user.role !== 'admin') throw new HttpError(403, 'FORBIDDEN_ROLE', '방문을 취소할 권한이 없습니다');
  const s = sessions.find((x) => x.session_id === params.id);
  if (!s) throw new HttpError(404, 'SESSION_NOT_FOUND', '방문 기록을 찾을 수 없습니다');
  if (s.cancelled) throw new HttpError(409, 'SESSION_ALREADY_CANCELLED', '이미 취소된 방문입니다');
  s.cancelled = true;
  return { session_id: s.session_id, cancelled_at: now(), reason: body?.reason ?? null };
});
route('GET', '/api/v1/customers/:id/interactions', ({ params, query }) => {
  requireCustomer(params.id);
  const limit = Number(query.get('limit') ?? 20);
  const list = interactions.filter((x) => x.customer_id === params.id).sort((a, b) => b.date.localeCompare(a.date));
  const by_type = {};
  for (const x of list) by_type[x.type] = (by_type[x.type] ?? 0) + 1;
  const durations = list.filter((x) => x.duration_minutes);
  return {
    customer_id: params.id,
    interactions: list.slice(0, limit),
    interaction_summary: {
      total_interactions: list.length,
      average_duration: durations.length ? Math.round(durations.reduce((a, x) => a + x.duration_minutes, 0) / durations.length) : null,
      last_interaction_date: list[0]?.date ?? null,
      by_type,
      open_follow_ups: list.filter((x) => x.follow_up?.required).length,
    },
  };
});
route('POST', '/api/v1/customers/:id/interactions', ({ params, body, user, res }) => {
  requireCustomer(params.id);
  const types = ['call', 'message', 'consultation', 'visit_note', 'complaint'];
  if (!types.includes(body?.interaction_type)) throw invalid('interaction_type', '허용되지 않는 유형입니다', { allowed_values: types });
  const x = {
    id: randomUUID(),
    customer_id: params.id,
    date: body.date ?? now(),
    type: body.interaction_type,
    duration_minutes: body.duration_minutes ?? null,
    notes: body.notes ?? null,
    outcome: body.outcome ?? null,
    staff_name: USERS[user.username].display_name,
    follow_up: body.follow_up ?? null,
  };
  interactions.push(x);
  res.statusCode = 201;
  return { interaction_id: x.id, customer_id: params.id, recorded_at: now(), interaction: x };
});

// ---------------------------------------------------------------------------------------------
// HTTP

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };

function send(res, status, payload) {
  if (process.env.MOCK_LOG) console.log(status, res.req.method, res.req.url, payload?.error?.code ?? '');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

async function serveStatic(req, res, path) {
  let p = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
  if (p === '/' || p === '') p = '/index.html';
  const file = join(DIST, p);
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    // A strict policy like the one the real server / Tauri should use; the UI needs nothing looser.
    if (process.env.MOCK_CSP) res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; connect-src 'self'");
    res.end(await readFile(file));
  } catch {
    res.statusCode = 404;
    res.end('not found');
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
  const path = url.pathname;
  const requestId = randomUUID();
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/readyz') return send(res, 200, { status: 'ready' });
  if (!path.startsWith('/api/')) return serveStatic(req, res, path);
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = null;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'INVALID_JSON', '본문이 JSON이 아닙니다');
      }
      if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'INVALID_JSON', '본문은 객체여야 합니다');
    }
    const matches = routes.filter((r) => r.re.test(path));
    if (!matches.length) throw new HttpError(404, 'NOT_FOUND', '경로를 찾을 수 없습니다');
    const r = matches.find((x) => x.method === req.method);
    if (!r) throw new HttpError(405, 'METHOD_NOT_ALLOWED', '허용되지 않는 메서드입니다');
    const params = r.re.exec(path).groups ?? {};
    const open = path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh';
    const user = open ? null : authUser(req);
    if (process.env.MOCK_DELAY_MS) await new Promise((ok) => setTimeout(ok, Number(process.env.MOCK_DELAY_MS)));
    res.statusCode = 200;
    const data = await r.handler({ req, res, params, query: url.searchParams, body: body ?? {}, user });
    send(res, res.statusCode, { success: true, data, message: 'OK', timestamp: now(), request_id: requestId });
  } catch (e) {
    if (!(e instanceof HttpError)) {
      console.error(e);
      e = new HttpError(500, 'INTERNAL_ERROR', '서버 오류');
    }
    const error = { code: e.code, message: e.message, details: e.extra.details ?? {} };
    if (e.extra.field) error.field = e.extra.field;
    send(res, e.status, { success: false, error, timestamp: now(), request_id: requestId });
  }
});

server.listen(PORT, HOST, () => {
  console.log(`ClinicDesk mock API on http://${HOST}:${PORT} (access TTL ${ACCESS_TTL}s, serving ${DIST})`);
});
