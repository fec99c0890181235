import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiText } from '../api';
import { t } from '../i18n';
import { chartPath, chartSize, sanitizeSvg, type ChartName } from '../logic/analytics';
import { describeError } from '../logic/errors';

// A chart of the API (`GET /api/v1/charts/{name}?format=svg`), drawn inline: 경영 분석's charts
// and the customer model's.

// `waiting`: the chart cannot be drawn yet for a reason that is not a fault (no model trained).
type ChartState = { svg: string | null; error: string | null; loading: boolean; waiting?: boolean };

/**
 * One chart, fetched with the session's token (`apiText`) and put into the page as a cleaned
 * SVG — inline, so its Korean labels are drawn in the app's bundled font (an SVG in an <img>
 * sees only the system's fonts). Each chart loads, fails and retries on its own. `query` null:
 * not asked for yet (the period's figures are still loading). `cache`: charts that do not change
 * while the screen is open (the forecast, fitted on days up to yesterday). `query` '': a chart
 * that takes no parameters but its size (the customer model's).
 */
export function ChartView({
  name,
  query,
  label,
  cache,
  refreshKey,
}: {
  name: ChartName;
  query: string | null;
  label: string;
  cache?: Map<string, string>;
  /** Asked again whenever this changes (a newly trained model). */
  refreshKey?: string | number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const figure = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [state, setState] = useState<ChartState>({ svg: null, error: null, loading: true });
  const [reload, setReload] = useState(0);

  // Drawn at the width it is shown at (its text then reads at the size it was drawn). A window
  // made much wider or narrower has it drawn again, once the resizing has stopped.
  useLayoutEffect(() => {
    const el = box.current;
    setSize(chartSize(name, el?.clientWidth ?? 0));
    if (!el || typeof ResizeObserver === 'undefined') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const next = chartSize(name, el.clientWidth);
        setSize((cur) => (cur && Math.abs(next.width - cur.width) / cur.width > 0.2 ? next : cur));
      }, 400);
    });
    observer.observe(el);
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [name]);

  useEffect(() => {
    if (query === null || !size) {
      setState((s) => ({ ...s, loading: true, error: null }));
      return;
    }
    const path = chartPath(name, query, size);
    const cached = cache?.get(path);
    if (cached) {
      setState({ svg: cached, error: null, loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    apiText(path, 'image/svg+xml')
      .then(({ text }) => {
        if (!live) return;
        const svg = sanitizeSvg(text);
        if (svg) cache?.set(path, svg);
        setState(svg ? { svg, error: null, loading: false } : { svg: null, error: t('analytics.chartInvalid'), loading: false });
      })
      .catch(
        (e) =>
          live &&
          setState({
            svg: null,
            error: describeError(e),
            loading: false,
            waiting: e instanceof ApiError && e.code === 'MODEL_NOT_READY',
          }),
      );
    return () => {
      live = false;
    };
  }, [name, query, size, reload, refreshKey]);

  // A drawing that leaves its lower part empty (the service mix with few services) is shown
  // without that empty band.
  useLayoutEffect(() => {
    const svgEl = figure.current?.querySelector('svg');
    if (svgEl) trimEmptyBottom(svgEl);
  }, [state.svg]);

  const status = state.error ? 'error' : state.svg && !state.loading ? 'ready' : 'loading';
  const aspect = size ? `${size.width} / ${size.height}` : '16 / 7';
  return (
    <div class="chart-box" ref={box} data-testid={`chart-${name}`} data-state={status}>
      {state.error ? (
        <div
          class={state.waiting ? 'chart-error chart-waiting' : 'chart-error'}
          role={state.waiting ? 'status' : 'alert'}
          data-testid={`chart-${name}-error`}
          style={{ aspectRatio: aspect }}
        >
          <b>{label}</b>
          <span data-testid={`chart-${name}-message`}>{state.error}</span>
          {!state.waiting && (
            <button type="button" class="btn btn-outline btn-sm no-print" onClick={() => setReload((n) => n + 1)}>
              {t('common.retry')}
            </button>
          )}
        </div>
      ) : state.svg ? (
        <div
          ref={figure}
          class={`chart-svg${state.loading ? ' is-loading' : ''}`}
          role="img"
          aria-label={label}
          aria-busy={state.loading}
          data-testid={`chart-${name}-svg`}
          // Cleaned by sanitizeSvg: drawing elements and text only.
          dangerouslySetInnerHTML={{ __html: state.svg }}
        />
      ) : (
        <div class="chart-skeleton" style={{ aspectRatio: aspect }} data-testid={`chart-${name}-loading`} aria-busy="true">
          <b>{label}</b>
          <span>{t('analytics.chartLoading')}</span>
        </div>
      )}
    </div>
  );
}

/** Cuts the empty band under a chart's drawing (its background aside) from the viewBox. */
function trimEmptyBottom(svgEl: SVGSVGElement) {
  const view = svgEl.viewBox?.baseVal;
  if (!view || !view.height || typeof (svgEl as SVGGraphicsElement).getBBox !== 'function') return;
  let bottom = 0;
  for (const el of svgEl.children) {
    if (!(el instanceof SVGGraphicsElement)) continue;
    let b: DOMRect;
    try {
      b = el.getBBox();
    } catch {
      return;
    }
    // The background: a rectangle over the whole drawing.
    if (el.tagName.toLowerCase() === 'rect' && b.width >= view.width - 1 && b.height >= view.height - 1) continue;
    bottom = Math.max(bottom, b.y + b.height);
  }
  const height = Math.ceil(bottom + 14);
  if (bottom > 0 && height < view.height * 0.92) svgEl.setAttribute('viewBox', `${view.x} ${view.y} ${view.width} ${height}`);
}

