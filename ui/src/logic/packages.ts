// Package rules the UI needs: which packages can pay for a visit, and which one to propose.
// The server stays the authority (it answers PACKAGE_EXHAUSTED / SERVICE_NOT_IN_PACKAGE /
// PACKAGE_EXPIRED / PACKAGE_CANCELLED); this only picks a sensible default and labels the
// choices. It never proposes a paid visit: money moves only when the person chooses it.

import { hasKey, t } from '../i18n';
import type { PackageUsage, ServiceBreakdownEntry } from '../types';
import { daysBetween, formatDate } from './format';

export type Usability = 'ok' | 'not_covered' | 'cancelled' | 'exhausted' | 'expired' | 'not_started';

/** A purchase a manager cancelled (refunded or not): its sessions can no longer be used. */
export function isCancelled(pkg: Pick<PackageUsage, 'package_status' | 'cancellation'>): boolean {
  return !!pkg.cancellation || String(pkg.package_status ?? '').toLowerCase() === 'cancelled';
}

export function breakdownFor(pkg: PackageUsage, service: string): ServiceBreakdownEntry | null {
  const b = pkg.service_breakdown?.[service];
  if (!b || !(Number(b.total) > 0)) return null;
  return b;
}

/** Sessions of `service` still left in `pkg` (never negative). */
export function remainingFor(pkg: PackageUsage, service: string): number {
  const b = breakdownFor(pkg, service);
  if (!b) return 0;
  const remaining = typeof b.remaining === 'number' ? b.remaining : Number(b.total) - Number(b.used);
  return Math.max(0, remaining);
}

export function covers(pkg: PackageUsage, service: string): boolean {
  return breakdownFor(pkg, service) !== null;
}

/** Can `pkg` pay for a `service` visit on `date` (YYYY-MM-DD)? */
export function usability(pkg: PackageUsage, service: string, date: string): Usability {
  if (!covers(pkg, service)) return 'not_covered';
  if (isCancelled(pkg)) return 'cancelled';
  if (pkg.purchase_date && date && date < pkg.purchase_date) return 'not_started';
  if (pkg.expiry_date && date && date > pkg.expiry_date) return 'expired';
  if (!pkg.expiry_date && pkg.package_status === 'expired' && remainingFor(pkg, service) > 0) return 'expired';
  if (remainingFor(pkg, service) <= 0) return 'exhausted';
  return 'ok';
}

/** Days from `date` until the package expires; packages without an expiry sort last. */
function daysLeft(pkg: PackageUsage, date: string): number {
  if (pkg.expiry_date && date) return daysBetween(date, pkg.expiry_date);
  if (typeof pkg.days_remaining === 'number') return pkg.days_remaining;
  return Number.POSITIVE_INFINITY;
}

/**
 * The package to pre-select for a `service` visit on `date`: among the packages that cover the
 * service, are valid on that date and have a session of it left, the one that expires first
 * (use it before it lapses); ties go to the one with fewer sessions left, then the older
 * purchase. Null means "no package (single payment)".
 */
export function choosePackage(packages: PackageUsage[], service: string, date: string): PackageUsage | null {
  const usable = packages.filter((p) => usability(p, service, date) === 'ok');
  if (usable.length === 0) return null;
  usable.sort((a, b) => {
    const d = daysLeft(a, date) - daysLeft(b, date);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const r = remainingFor(a, service) - remainingFor(b, service);
    if (r !== 0) return r;
    return (a.purchase_date ?? '').localeCompare(b.purchase_date ?? '');
  });
  return usable[0];
}

/** Packages worth listing in the visit dialog for `service`: those that cover it. */
export function packagesCovering(packages: PackageUsage[], service: string): PackageUsage[] {
  return packages.filter((p) => covers(p, service));
}

/** Services that appear in a package, in catalogue order first, then any others. */
export function servicesOf(pkg: PackageUsage, order: readonly string[]): string[] {
  const keys = Object.keys(pkg.service_breakdown ?? {}).filter((k) => Number(pkg.service_breakdown?.[k]?.total) > 0);
  const known = order.filter((s) => keys.includes(s));
  return [...known, ...keys.filter((k) => !order.includes(k))];
}

/** Width (0–100) of a usage bar; overdrawn packages fill the bar. */
export function usagePercent(used: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, (used / total) * 100));
}

/** 'active' | 'expiring' | 'expired' | 'cancelled' as given by the server, normalised to lower
 *  case ('cancelled' also when only the cancellation says so). */
export function statusOf(pkg: PackageUsage): string {
  if (isCancelled(pkg)) return 'cancelled';
  return String(pkg.package_status ?? 'active').toLowerCase();
}

/** What a package's expiry says today: past its date ("만료됨 2024-07-01"), every session
 *  used, the last day (D-Day) or the days left. `days_remaining` is negative once the date
 *  has passed (docs/API.md); an expired package must never read as "D-Day". */
export type ExpiryState = 'lapsed' | 'used_up' | 'today' | 'soon' | 'later';

export function expiryState(p: Pick<PackageUsage, 'days_remaining' | 'package_status'>): ExpiryState {
  const days = p.days_remaining;
  if (typeof days === 'number' && days < 0) return 'lapsed';
  if (String(p.package_status ?? '').toLowerCase() === 'expired') return 'used_up';
  if (days === 0) return 'today';
  if (typeof days === 'number' && days <= 14) return 'soon';
  return 'later';
}

export function expiryText(p: Pick<PackageUsage, 'days_remaining' | 'package_status' | 'expiry_date'>): string {
  const state = expiryState(p);
  if (state === 'lapsed') return t('pkg.expiredOn', { date: formatDate(p.expiry_date) });
  if (state === 'used_up') return t('pkg.usedUp');
  if (state === 'today') return t('detail.dDay');
  if (typeof p.days_remaining === 'number') return t('detail.daysLeft', { n: p.days_remaining });
  return formatDate(p.expiry_date);
}

/** "브레인 3회 남음 / 4회": what is left, said so (the old "브3/4" left it to guess). */
export function leftText(service: string, b: ServiceBreakdownEntry): string {
  const key = `serviceShort.${service}`;
  const name = hasKey(key) ? t(key) : service;
  const left = Math.max(0, typeof b.remaining === 'number' ? b.remaining : Number(b.total) - Number(b.used));
  return t('pkg.left', { service: name, left, total: Number(b.total) });
}

/**
 * What is true of `pkg` for a `service` visit on `date`, said in full for the visit dialog:
 * "펄스 케어 3회 남음", or why it cannot pay for the visit ("펄스 케어 0회 남음 — 소진",
 * "취소됨", "만료됨 (2024-07-01)", "구매일 2024-06-01 이전"). Null when it does not cover the service.
 */
export function usabilityText(pkg: PackageUsage, service: string, serviceLabel: string, date: string): string | null {
  const u = usability(pkg, service, date);
  const left = t('visit.serviceLeft', { service: serviceLabel, n: remainingFor(pkg, service) });
  switch (u) {
    case 'not_covered':
      return null;
    case 'ok':
      return left;
    case 'exhausted':
      return `${left} — ${t('visit.why.exhausted')}`;
    case 'cancelled':
      return t('visit.why.cancelled');
    case 'expired':
      return t('visit.why.expired', { date: formatDate(pkg.expiry_date) });
    case 'not_started':
      return t('visit.why.notStarted', { date: formatDate(pkg.purchase_date) });
  }
}
