// A link's QR code in a modal dialog: the SVG shown (fetched with the
// credential, then shown from a blob: URL, as <img> cannot send headers),
// and both formats downloadable.
import {api, query} from './api.js';
import {el, button, download, attempt, errorBox} from './ui.js';

export async function showQr(link) {
  const params = {domain: link.domain};
  const path = `/api/v1/urls/${encodeURIComponent(link.shortUrl)}/qr`;
  const error = errorBox();
  const img = el('img', {alt: `QR code of ${link.domain || ''}/${link.shortUrl}`, width: 256, height: 256, class: 'qr'});
  const close = button('Close', () => dialog.close());
  const dialog = el('dialog', {class: 'qr-dialog', 'aria-labelledby': 'qr-title'},
    el('h2', {id: 'qr-title'}, `QR code of /${link.shortUrl}`),
    error, img,
    el('div', {class: 'actions'},
       button('Download SVG', () => save('svg')),
       button('Download PNG (1024 px)', () => save('png')),
       close));
  async function save(format) {
    const blob = await attempt(() => api('GET', path + query({...params, format, size: format === 'png' ? 1024 : 512}),
                                         null, 'blob'), error);
    if (blob) download(blob, `${link.shortUrl}.${format}`);
  }
  dialog.addEventListener('close', () => {
    if (img.src) URL.revokeObjectURL(img.src);
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  const blob = await attempt(() => api('GET', path + query({...params, format: 'svg', size: 256}), null, 'blob'), error);
  if (blob) img.src = URL.createObjectURL(blob);
}
