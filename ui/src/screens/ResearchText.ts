// The research library's strings (연구 자료실: import, search, Q&A), in Korean (default) and
// English, in the flat dotted form of src/i18n.ts. `en` is typed against `ko`.

import { translator } from './patient/text';

const ko = {
  'nav.research': '연구 자료실',
  'title': '연구 자료실',
  'intro': '가져온 PubMed 논문에서 찾고, 질문에 대한 근거 문장을 인용과 함께 봅니다. 모든 자료는 이 병원의 서버 안에 있습니다.',
  'forbidden': '의사와 관리자만 볼 수 있는 화면입니다.',
  'totalPapers': '논문 {n}편',
  'tabs': '연구 자료실 기능',
  'tab.search': '문헌 검색',
  'tab.qa': '질문하기',
  'tab.import': '자료 가져오기',

  'import.title': '논문 파일 가져오기',
  'import.intro': 'PubMed에서 “Send to → File”로 받은 파일을 가져옵니다: PubMed XML(.xml) 또는 MEDLINE(.nbib, .txt), 20MB까지. 파일에 잘못된 곳이 하나라도 있으면 아무것도 가져오지 않고 그 줄을 알려 드립니다.',
  'import.choose': '파일 선택',
  'import.none': '선택한 파일 없음',
  'import.start': '가져오기',
  'import.starting': '파일을 보내는 중…',
  'import.tooBig': '파일이 20MB보다 큽니다 ({size}). PubMed에서 나누어 받아 주세요.',
  'import.badType': 'PubMed XML(.xml)이나 MEDLINE(.nbib, .txt) 파일만 가져올 수 있습니다.',
  'import.unreadable': '파일을 읽을 수 없습니다.',
  'import.running': '가져오는 중… {processed}/{total}편',
  'import.done': '가져오기 완료: 새 논문 {imported}편, 이미 있던 논문 {duplicates}편',
  'import.failed': '가져오기에 실패했습니다: {error}',
  'import.refused': '가져오지 않았습니다 (아무것도 저장되지 않음)',
  'import.refusedLine': '{line}번째 줄',
  'import.progress': '가져오기 진행률',
  'import.recent': '최근 가져오기',
  'import.noRecent': '아직 가져온 파일이 없습니다.',
  'import.colFile': '파일',
  'import.colStatus': '상태',
  'import.colImported': '새 논문',
  'import.colDuplicates': '중복',
  'import.colFinished': '마친 때',
  'import.another': '다른 파일 가져오기',
  'status.running': '진행 중',
  'status.done': '완료',
  'status.failed': '실패',

  'search.title': '문헌 검색',
  'search.query': '검색어',
  'search.placeholder': '예: peanut oral immunotherapy, 땅콩 알레르기',
  'search.allergen': '알레르기 항목',
  'search.anyAllergen': '전체',
  'search.cross': '교차반응 항목 포함',
  'search.crossHint': '선택한 항목과 교차반응하는 항목의 이름도 함께 찾습니다.',
  'search.max': '최대',
  'search.maxN': '{n}편',
  'search.submit': '검색',
  'search.searching': '찾는 중…',
  'search.needQuery': '검색어를 입력하세요.',
  'search.found': '{n}편 찾음',
  'search.expanded': '함께 찾은 말',
  'search.empty': '찾은 논문이 없습니다. 다른 검색어를 쓰거나 논문 파일을 더 가져오세요.',
  'search.emptyLibrary': '자료실이 비어 있습니다. 먼저 “자료 가져오기”에서 논문 파일을 가져오세요.',
  'search.score': '관련도',
  'search.scoreHint': '가장 관련 있는 논문을 100으로 본 상대 점수',
  'search.abstract': '초록 보기',
  'search.hideAbstract': '초록 접기',
  'search.noAbstract': '초록이 없는 논문입니다.',
  'search.authorsMore': '{names} 외 {n}명',

  'qa.title': '질문하기',
  'qa.question': '질문',
  'qa.placeholder': '예: 땅콩 알레르기 환자가 피해야 할 숨겨진 식품은?',
  'qa.allergen': '관련 알레르기 항목 (선택)',
  'qa.submit': '질문하기',
  'qa.asking': '근거를 찾는 중…',
  'qa.needQuestion': '질문을 입력하세요.',
  'qa.answer': '문헌에서 찾은 답',
  'qa.extractive': '답은 가져온 논문의 초록에서 그대로 옮긴 문장이며, 문장 끝의 [번호]가 그 논문입니다. 새로 지어낸 내용은 없습니다. 진료에 쓰기 전에 원문을 확인하세요.',
  'qa.noAnswer': '근거를 찾지 못했습니다',
  'qa.confidence': '근거 신뢰도',
  'qa.confHigh': '높음',
  'qa.confMedium': '보통',
  'qa.confLow': '낮음',
  'qa.confExplain.high': '여러 논문이 질문의 말을 직접 담고 있어, 근거가 비교적 충분합니다.',
  'qa.confExplain.medium': '관련 문장은 있으나 논문 수가 적거나 질문과 일부만 맞습니다. 원문을 꼭 확인하세요.',
  'qa.confExplain.low': '근거가 적거나 간접적입니다. 참고로만 보고 원문과 다른 자료를 확인하세요.',
  'qa.confScale': '신뢰도는 질문의 말을 담은 문장이 몇 편의 논문에서 얼마나 나왔는지로 계산하며, 답이 옳다는 보증은 아닙니다.',
  'qa.citations': '인용한 논문',
  'qa.cite': '인용 {n}: {title}',

  'paper.title': '논문',
  'paper.authors': '저자',
  'paper.journal': '학술지',
  'paper.year': '연도',
  'paper.pmid': 'PMID',
  'paper.doi': 'DOI',
  'paper.keywords': '키워드',
  'paper.abstract': '초록',
  'paper.notFound': '논문을 찾을 수 없습니다.',
};

export type ResearchKey = keyof typeof ko;

const en: Record<ResearchKey, string> = {
  'nav.research': 'Research library',
  'title': 'Research library',
  'intro': 'Search the PubMed papers imported here and get evidence sentences with citations for a question. Everything stays on this clinic’s server.',
  'forbidden': 'Only doctors and administrators may open this screen.',
  'totalPapers': '{n} papers',
  'tabs': 'Research library functions',
  'tab.search': 'Search',
  'tab.qa': 'Ask',
  'tab.import': 'Import',

  'import.title': 'Import a paper file',
  'import.intro': 'Import a file saved from PubMed with “Send to → File”: PubMed XML (.xml) or MEDLINE (.nbib, .txt), up to 20 MB. If anything in the file is wrong, nothing is imported and the line is named.',
  'import.choose': 'Choose file',
  'import.none': 'No file chosen',
  'import.start': 'Import',
  'import.starting': 'Sending the file…',
  'import.tooBig': 'The file is larger than 20 MB ({size}). Save it from PubMed in parts.',
  'import.badType': 'Only PubMed XML (.xml) or MEDLINE (.nbib, .txt) files can be imported.',
  'import.unreadable': 'The file cannot be read.',
  'import.running': 'Importing… {processed}/{total} papers',
  'import.done': 'Import done: {imported} new papers, {duplicates} already in the library',
  'import.failed': 'The import failed: {error}',
  'import.refused': 'Not imported (nothing was saved)',
  'import.refusedLine': 'line {line}',
  'import.progress': 'Import progress',
  'import.recent': 'Recent imports',
  'import.noRecent': 'No file imported yet.',
  'import.colFile': 'File',
  'import.colStatus': 'Status',
  'import.colImported': 'New',
  'import.colDuplicates': 'Duplicates',
  'import.colFinished': 'Finished',
  'import.another': 'Import another file',
  'status.running': 'Running',
  'status.done': 'Done',
  'status.failed': 'Failed',

  'search.title': 'Search the literature',
  'search.query': 'Query',
  'search.placeholder': 'e.g. peanut oral immunotherapy',
  'search.allergen': 'Allergen',
  'search.anyAllergen': 'Any',
  'search.cross': 'Include cross-reactive allergens',
  'search.crossHint': 'Also searches the names of allergens that cross-react with the one chosen.',
  'search.max': 'Up to',
  'search.maxN': '{n} papers',
  'search.submit': 'Search',
  'search.searching': 'Searching…',
  'search.needQuery': 'Enter a query.',
  'search.found': '{n} papers found',
  'search.expanded': 'Also searched',
  'search.empty': 'No paper found. Try other words or import more papers.',
  'search.emptyLibrary': 'The library is empty. Import a paper file first (Import).',
  'search.score': 'Relevance',
  'search.scoreHint': 'Relative score, the most relevant paper being 100',
  'search.abstract': 'Show abstract',
  'search.hideAbstract': 'Hide abstract',
  'search.noAbstract': 'This paper has no abstract.',
  'search.authorsMore': '{names} and {n} more',

  'qa.title': 'Ask a question',
  'qa.question': 'Question',
  'qa.placeholder': 'e.g. Which hidden foods should a peanut-allergic patient avoid?',
  'qa.allergen': 'Related allergen (optional)',
  'qa.submit': 'Ask',
  'qa.asking': 'Looking for evidence…',
  'qa.needQuestion': 'Enter a question.',
  'qa.answer': 'Answer from the literature',
  'qa.extractive': 'The answer is sentences copied from the abstracts of imported papers; the [number] after a sentence is its paper. Nothing is made up. Check the paper before using it in care.',
  'qa.noAnswer': 'No evidence found',
  'qa.confidence': 'Evidence confidence',
  'qa.confHigh': 'High',
  'qa.confMedium': 'Medium',
  'qa.confLow': 'Low',
  'qa.confExplain.high': 'Several papers contain the question’s words directly: the evidence is fairly solid.',
  'qa.confExplain.medium': 'There are related sentences, but few papers or only a partial match. Do check the papers.',
  'qa.confExplain.low': 'Little or indirect evidence. Use it as a pointer only and check the papers and other sources.',
  'qa.confScale': 'Confidence reflects how many papers have sentences with the question’s words; it does not guarantee the answer is right.',
  'qa.citations': 'Cited papers',
  'qa.cite': 'Citation {n}: {title}',

  'paper.title': 'Paper',
  'paper.authors': 'Authors',
  'paper.journal': 'Journal',
  'paper.year': 'Year',
  'paper.pmid': 'PMID',
  'paper.doi': 'DOI',
  'paper.keywords': 'Keywords',
  'paper.abstract': 'Abstract',
  'paper.notFound': 'Paper not found.',
};

export const researchDictionaries = { ko, en };

export const rt = translator(researchDictionaries);

// ---------------------------------------------------------------------------------------------
// Shapes of /api/v1/pro/research/*

export type ImportStatus = 'running' | 'done' | 'failed';

export interface ImportStarted {
  import_id: string;
  filename: string;
  status: ImportStatus;
  total: number;
}

export interface ImportProgress {
  import_id: string;
  filename: string;
  status: ImportStatus;
  total: number;
  processed: number;
  imported: number;
  duplicates: number;
  error: string | null;
}

export interface LibraryImport {
  import_id: string;
  filename: string;
  status: ImportStatus;
  total: number;
  imported: number;
  duplicates: number;
  finished_at: string | null;
}

export interface Library {
  total_papers: number;
  recent_imports: LibraryImport[];
}

export interface PaperHit {
  id: string;
  title: string;
  authors: string[];
  journal: string | null;
  year: number | null;
  abstract: string | null;
  doi: string | null;
  score: number;
}

export interface SearchResult {
  query: string;
  total_found: number;
  expanded_terms: string[];
  papers: PaperHit[];
}

export interface Citation {
  paper_id: string;
  title: string;
  excerpt: string;
}

export interface QaResult {
  question: string;
  answer: string | null;
  confidence: number;
  citations: Citation[];
  message: string | null;
}

export interface Paper extends PaperHit {
  pmid?: string;
  keywords?: string[];
  language?: string | null;
  abstract_text?: string | null;
}

export interface AllergenOption {
  code: string;
  name_ko: string;
  name_en: string;
  category?: string;
}

/** "Kim J, Lee S, Park H 외 4명": at most `max` names. */
export function authorLine(authors: string[] | null | undefined, max = 3): string {
  const list = authors ?? [];
  if (list.length <= max) return list.join(', ');
  return rt('search.authorsMore', { names: list.slice(0, max).join(', '), n: list.length - max });
}

/** 0..1 → its word: high from 0.7, medium from 0.4. */
export function confidenceLevel(c: number): 'high' | 'medium' | 'low' {
  return c >= 0.7 ? 'high' : c >= 0.4 ? 'medium' : 'low';
}

export type AnswerPart = { text: string } | { cite: number };

/** Splits one line of an answer into text and citation markers: "… food. [1][2]" → text, 1, 2. */
export function answerParts(line: string): AnswerPart[] {
  const parts: AnswerPart[] = [];
  const re = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  let last = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index > last) parts.push({ text: line.slice(last, m.index) });
    for (const n of m[1].split(',')) parts.push({ cite: Number(n.trim()) });
    last = m.index + m[0].length;
  }
  if (last < line.length) parts.push({ text: line.slice(last) });
  return parts;
}

export function fileSizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
