import pannellumScript from 'pannellum/build/pannellum.js?url';
import pannellumStyle from 'pannellum/build/pannellum.css?url';

interface Pannellum {
  viewer(container: HTMLElement, config: Record<string, unknown>): { destroy(): void };
}

let loading: Promise<Pannellum> | undefined;

/** Pannellum from its npm package, emitted by the build as its own files and loaded only here (no CDN). */
function loadPannellum(): Promise<Pannellum> {
  const loaded = (element: HTMLLinkElement | HTMLScriptElement) =>
    new Promise<void>((resolve, reject) => {
      element.addEventListener('load', () => resolve());
      element.addEventListener('error', () => reject(new Error('the viewer could not be loaded')));
      document.head.append(element);
    });
  loading ??= Promise.all([
    loaded(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: pannellumStyle })),
    loaded(Object.assign(document.createElement('script'), { src: pannellumScript })),
  ]).then(() => (window as unknown as { pannellum: Pannellum }).pannellum);
  return loading;
}

/** Opens the built set's config.json (its tiles beside it) in Pannellum's multires viewer. */
export async function openPanorama(container: HTMLElement, configUrl: string): Promise<{ destroy(): void }> {
  const [pannellum, config] = await Promise.all([
    loadPannellum(),
    fetch(configUrl).then((response) => {
      if (!response.ok) throw new Error(`config.json answered ${response.status}`);
      return response.json() as Promise<Record<string, unknown>>;
    }),
  ]);
  const basePath = configUrl.slice(0, configUrl.lastIndexOf('/') + 1);
  return pannellum.viewer(container, { ...config, basePath, autoLoad: true, showFullscreenCtrl: false });
}
