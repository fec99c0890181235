// Bundled Korean web font (variable weight): shipped in dist/, never fetched from the network.
import '@fontsource-variable/noto-sans-kr';
import './styles.css';
import { render } from 'preact';
import { App } from './App';
import { getLang } from './i18n';

document.documentElement.lang = getLang();
render(<App />, document.getElementById('app')!);
