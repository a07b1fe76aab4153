import '../app.css';
import { h, replace } from './dom';
import { LiveHub } from './live-hub';
import { showFlow } from './views/flow-view';
import { showFlows } from './views/flows-view';
import { showOverview } from './views/overview-view';

/** A view draws itself into main and returns what stops its timers and subscriptions. */
export type View = (main: HTMLElement, live: LiveHub, query: URLSearchParams) => () => void;

function route(path: string): { view: View; title: string } | undefined {
  if (path === '/' || path === '') return { view: showOverview, title: 'Overview' };
  if (path === '/flows') return { view: showFlows, title: 'Flows' };
  const flow = /^\/flows\/([^/]+)\/(.+)$/.exec(path);
  if (flow) {
    const [definition, key] = [decodeURIComponent(flow[1]), decodeURIComponent(flow[2])];
    return { view: (main, live) => showFlow(main, live, definition, key), title: `Flow ${key}` };
  }
  return undefined;
}

function start(): void {
  const main = document.getElementById('main')!;
  const live = new LiveHub(document.getElementById('live')!);
  let stop = () => undefined as void;
  const render = () => {
    stop();
    const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
    const found = route(path);
    for (const link of document.querySelectorAll('nav a'))
      link.toggleAttribute('aria-current', link.getAttribute('href') === (location.hash || '#/'));
    if (!found) {
      document.title = 'Not found · Flowscope';
      replace(
        main,
        h('h1', {}, 'Page not found'),
        h('p', {}, `The console has no page “${path}”. `, h('a', { href: '#/' }, 'Go to the overview')),
      );
      stop = () => undefined;
      return;
    }
    document.title = `${found.title} · Flowscope`;
    stop = found.view(main, live, new URLSearchParams(query));
  };
  window.addEventListener('hashchange', () => {
    render();
    main.focus({ preventScroll: false });
  });
  render();
}

start();
