// First, so that its `clinicdesk:script` mark is taken as the bundle starts running.
import { mark } from './perf';
// Bundled Korean web font (variable weight): shipped in dist/, never fetched from the network.
import '@fontsource-variable/noto-sans-kr';
import './styles.css';
import { render } from 'preact';
import { restoreSession } from './api';
import { App } from './App';
import { dictionaries, getLang } from './i18n';

/**
 * The font is split into unicode-range subsets loaded on demand, and a machine may have no
 * Korean system font to fall back on: text drawn before its subset arrives shows as empty
 * boxes. So the subsets every screen's labels need are loaded before the first render (they
 * are local files, so this takes milliseconds), never waiting more than a second.
 */
async function koreanFontReady(): Promise<void> {
  if (!('fonts' in document)) return;
  const sample = Object.values(dictionaries.ko).join('');
  const loaded = document.fonts.load('400 16px "Noto Sans KR Variable"', sample).then(() => undefined);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000));
  await Promise.race([loaded, timeout]).catch(() => undefined);
}

document.documentElement.lang = getLang();
// A remembered login is looked up (OS keyring, then a token refresh) while the fonts load,
// not after the first render: the first screen is then the right one at once. The App
// handles the outcome; this catch only keeps a failure from counting as unhandled meanwhile.
const restoring = restoreSession();
restoring.catch(() => undefined);
void koreanFontReady().then(() => {
  mark('fonts');
  render(<App restoring={restoring} />, document.getElementById('app')!);
  mark('rendered');
});
