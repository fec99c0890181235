import { describe, expect, it } from 'vitest';
import { clickableBoxes, overlapArea, pickToastSpot, TOAST_SPOTS, toastBox, type Box } from '../src/logic/toastPlacement';

const WINDOW = { width: 1024, height: 700 };
const TOAST = { width: 300, height: 44 };

function box(left: number, top: number, width: number, height: number): Box {
  return { left, top, right: left + width, bottom: top + height };
}

describe('toast placement', () => {
  it('puts the stack in the corners and the middle, clear of the edges and the top bar', () => {
    expect(toastBox('bottom-right', TOAST, WINDOW)).toEqual(box(708, 640, 300, 44));
    expect(toastBox('top-right', TOAST, WINDOW)).toEqual(box(708, 64, 300, 44));
    expect(toastBox('bottom-center', TOAST, WINDOW)).toEqual(box(362, 640, 300, 44));
    expect(toastBox('bottom-left', TOAST, WINDOW)).toEqual(box(16, 640, 300, 44));
    expect(toastBox('top-center', TOAST, WINDOW)).toEqual(box(362, 64, 300, 44));
    expect(toastBox('top-left', TOAST, WINDOW)).toEqual(box(16, 64, 300, 44));
  });

  it('counts only a real overlap: touching edges cover nothing', () => {
    expect(overlapArea(box(0, 0, 10, 10), box(10, 0, 10, 10))).toBe(0);
    expect(overlapArea(box(0, 0, 10, 10), box(0, 10, 10, 10))).toBe(0);
    expect(overlapArea(box(0, 0, 10, 10), box(5, 5, 10, 10))).toBe(25);
  });

  it('stays bottom-right while nothing clickable is there', () => {
    expect(pickToastSpot(TOAST, WINDOW, [])).toBe('bottom-right');
    expect(pickToastSpot(TOAST, WINDOW, [box(20, 20, 100, 30), box(700, 600, 100, 30)])).toBe('bottom-right');
  });

  it('moves off a dialog’s save button to the next free spot', () => {
    // A tall dialog's actions along the bottom, and its close button at the top right.
    const save = box(720, 646, 90, 34);
    const cancel = box(640, 646, 70, 34);
    const close = box(790, 24, 30, 30);
    const spot = pickToastSpot(TOAST, WINDOW, [save, cancel, close]);
    expect(spot).toBe('top-right');
    const placed = toastBox(spot, TOAST, WINDOW);
    for (const b of [save, cancel, close]) expect(overlapArea(placed, b)).toBe(0);
  });

  it('skips every spot that covers something, in order', () => {
    const obstacles = TOAST_SPOTS.slice(0, 4).map((s) => toastBox(s, TOAST, WINDOW));
    expect(pickToastSpot(TOAST, WINDOW, obstacles)).toBe('top-center');
  });

  it('when every spot covers something, takes the one covering least', () => {
    const obstacles = TOAST_SPOTS.map((s) => toastBox(s, TOAST, WINDOW));
    // A sliver of the bottom-left spot is all that is covered there.
    obstacles[3] = box(16, 640, 10, 10);
    expect(pickToastSpot(TOAST, WINDOW, obstacles)).toBe('bottom-left');
  });

  it('looks only inside the open dialog, and never at the toasts themselves', () => {
    document.body.innerHTML = `
      <main><button id="page">page</button></main>
      <div class="modal-backdrop"><div class="modal"><button id="save">save</button><input id="field" /><input type="hidden" /></div></div>
      <div class="toasts"><button id="dismiss">×</button></div>`;
    const seen: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, input')) {
      const id = el.id;
      // happy-dom lays nothing out: give each element a box and remember which were asked for.
      el.getBoundingClientRect = () => {
        seen.push(id);
        return { left: 1, top: 1, right: 11, bottom: 11, width: 10, height: 10, x: 1, y: 1, toJSON: () => ({}) } as DOMRect;
      };
    }
    const boxes = clickableBoxes(document, document.querySelector('.toasts'));
    expect(seen.sort()).toEqual(['field', 'save']);
    expect(boxes).toHaveLength(2);
    document.body.innerHTML = '';
  });
});

describe('what a toast must not cover', () => {
  it('cuts each box to what its scrolling container shows', () => {
    document.body.innerHTML = `
      <div class="modal"><div class="modal-body" id="body" style="overflow-y: auto">
        <input id="shown" /><select id="half"></select><button id="gone">later</button>
      </div></div>`;
    const rects: Record<string, Box> = { body: box(100, 100, 400, 300), shown: box(120, 120, 200, 30), half: box(120, 380, 200, 40), gone: box(120, 500, 80, 30) };
    for (const [id, b] of Object.entries(rects)) {
      const el = document.getElementById(id)!;
      el.getBoundingClientRect = () => ({ ...b, width: b.right - b.left, height: b.bottom - b.top, x: b.left, y: b.top, toJSON: () => ({}) }) as DOMRect;
    }
    expect(clickableBoxes(document, null)).toEqual([box(120, 120, 200, 30), box(120, 380, 200, 20)]);
    document.body.innerHTML = '';
  });
});
