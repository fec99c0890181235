// Where the toasts go: a toast must never lie over a button someone may be about to press (a
// dialog's save, a row's action, the pager). The stack starts in the bottom-right corner and
// moves to the first other spot where it covers nothing that can be clicked.

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

export type ToastSpot = 'bottom-right' | 'top-right' | 'bottom-center' | 'bottom-left' | 'top-center' | 'top-left';

/** In order of preference: out of the way of reading, then anywhere free. */
export const TOAST_SPOTS: readonly ToastSpot[] = ['bottom-right', 'top-right', 'bottom-center', 'bottom-left', 'top-center', 'top-left'];

/** Distance from the window's edges; the top spots clear the 52 px top bar. */
export const TOAST_MARGIN = 16;
export const TOAST_TOP = 64;

/** The box the toast stack would take at `spot` in a window of `viewport`. */
export function toastBox(spot: ToastSpot, size: Size, viewport: Size): Box {
  const [v, h] = spot.split('-') as ['top' | 'bottom', 'left' | 'center' | 'right'];
  const top = v === 'top' ? TOAST_TOP : viewport.height - TOAST_MARGIN - size.height;
  const left =
    h === 'left' ? TOAST_MARGIN : h === 'right' ? viewport.width - TOAST_MARGIN - size.width : Math.round((viewport.width - size.width) / 2);
  return { left, top, right: left + size.width, bottom: top + size.height };
}

export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The first spot where the stack covers none of `obstacles` (what can be clicked); when every
 * spot covers something, the one covering the least.
 */
export function pickToastSpot(size: Size, viewport: Size, obstacles: readonly Box[], spots: readonly ToastSpot[] = TOAST_SPOTS): ToastSpot {
  let best = spots[0];
  let bestCovered = Infinity;
  for (const spot of spots) {
    const box = toastBox(spot, size, viewport);
    let covered = 0;
    for (const o of obstacles) covered += overlapArea(box, o);
    if (covered === 0) return spot;
    if (covered < bestCovered) {
      best = spot;
      bestCovered = covered;
    }
  }
  return best;
}

/** What a toast must not cover: everything one can click or type into. */
export const CLICKABLE = 'button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="menuitem"]';

/**
 * The boxes of what can be clicked right now: inside the open dialog when there is one (the
 * backdrop covers the rest), anywhere otherwise; never the toasts' own buttons. Each box is cut
 * to what its scrolling containers show: a field scrolled out of a dialog's body is not there.
 */
export function clickableBoxes(doc: Document, toasts: Element | null): Box[] {
  const dialogs = doc.querySelectorAll('.modal');
  const scope: ParentNode = dialogs.length ? dialogs[dialogs.length - 1] : doc;
  const view = doc.defaultView;
  const clips = new Map<Element, Box | null>();
  const clipOf = (el: Element): Box | null => {
    let clip = clips.get(el);
    if (clip === undefined) {
      const style = view?.getComputedStyle(el);
      clip = style && (CLIPS.test(style.overflowX) || CLIPS.test(style.overflowY)) ? toBox(el.getBoundingClientRect()) : null;
      clips.set(el, clip);
    }
    return clip;
  };
  const boxes: Box[] = [];
  scope.querySelectorAll(CLICKABLE).forEach((el) => {
    if (toasts?.contains(el)) return;
    let box: Box | null = toBox(el.getBoundingClientRect());
    for (let up = el.parentElement; up && box && up !== doc.documentElement && up !== doc.body; up = up.parentElement) {
      const clip = clipOf(up);
      if (clip) box = intersect(box, clip);
    }
    if (box) boxes.push(box);
  });
  return boxes;
}

const CLIPS = /^(auto|scroll|hidden|clip)$/;

function toBox(r: DOMRect): Box {
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

/** The common part of two boxes; null when they do not overlap (or either is empty). */
export function intersect(a: Box, b: Box): Box | null {
  const box = { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
  return box.right > box.left && box.bottom > box.top ? box : null;
}
