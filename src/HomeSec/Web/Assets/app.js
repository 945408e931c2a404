// HomeSec's only script: live arrival of clips on the review page (Server-Sent Events), refreshing camera tiles,
// and keyboard navigation. Every HTML fragment it inserts comes from this server, rendered and encoded by Razor.

const clips = document.getElementById('clips');

// A picture that is not there (no thumbnail could be made, a camera with no frame yet) shows the text behind it
// instead of a broken-image icon. Module scripts run after parsing, so an image may have failed already.
function placeholderOnError(img) {
  const broken = () => img.classList.add('broken');
  img.addEventListener('error', broken);
  img.addEventListener('load', () => img.classList.remove('broken'));
  if (img.complete && img.naturalWidth === 0 && img.loading !== 'lazy') broken();
}
document.querySelectorAll('.thumb img, img.live').forEach(placeholderOnError);

function insertRows(html, replaceId) {
  const template = document.createElement('template');
  template.innerHTML = html;
  const incoming = [...template.content.querySelectorAll('article.clip')];
  for (const row of incoming) {
    row.querySelectorAll('.thumb img').forEach(placeholderOnError);
    const existing = document.getElementById(row.id);
    if (existing) {
      existing.replaceWith(row);
    } else if (!replaceId) {
      clips.prepend(row);
      row.classList.add('arrived');
    }
  }
  if (incoming.length > 0) document.getElementById('no-clips')?.remove();
}

async function fetchRows(params) {
  const query = new URLSearchParams(clips.dataset.filter || '');
  for (const [key, value] of Object.entries(params)) query.set(key, value);
  const response = await fetch(`/review/rows?${query}`, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
  if (response.status === 401) { location.href = '/login?returnUrl=' + encodeURIComponent(location.pathname + location.search); return null; }
  return response.ok ? response.text() : null;
}

function newestShown() {
  const first = clips.querySelector('article.clip');
  return first ? first.dataset.created : null;
}

if (clips && clips.dataset.live === 'on') {
  const source = new EventSource('/api/clips/stream');
  source.addEventListener('clip', async (event) => {
    const change = JSON.parse(event.data);
    const shown = document.getElementById('clip-' + change.clip_id);
    if (shown) {
      const html = await fetchRows({ id: change.clip_id });
      if (html) insertRows(html, true);
      return;
    }
    const newest = newestShown();
    const html = await fetchRows(newest ? { after: newest } : {});
    if (html) insertRows(html, false);
  });
  document.documentElement.dataset.live = 'connected';
  source.addEventListener('open', () => { document.documentElement.dataset.live = 'connected'; });
  source.addEventListener('error', () => { document.documentElement.dataset.live = 'reconnecting'; });
}

// Camera tiles: a new frame every data-refresh seconds, only while the page is visible.
for (const img of document.querySelectorAll('img.live[data-refresh]')) {
  const base = img.getAttribute('src');
  const seconds = Math.max(1, Number(img.dataset.refresh) || 5);
  let frame = 0;
  setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    const next = new Image();
    next.onload = () => { img.src = next.src; img.dataset.frame = String(++frame); };
    next.onerror = () => img.classList.add('broken');
    next.src = `${base}?t=${Date.now()}`;
  }, seconds * 1000);
}

// Keyboard: j / k move through the review list, Enter opens, r marks reviewed.
document.addEventListener('keydown', (event) => {
  if (!clips || event.target.closest('input, select, textarea') || event.metaKey || event.ctrlKey || event.altKey) return;
  const rows = [...clips.querySelectorAll('article.clip')];
  if (rows.length === 0) return;
  const current = rows.indexOf(document.activeElement?.closest('article.clip'));
  const focus = (i) => { const row = rows[Math.max(0, Math.min(rows.length - 1, i))]; row.querySelector('h2 a')?.focus(); row.scrollIntoView({ block: 'nearest' }); };
  if (event.key === 'j') { focus(current + 1); event.preventDefault(); }
  else if (event.key === 'k') { focus(current - 1); event.preventDefault(); }
  else if (event.key === 'r' && current >= 0) { rows[current].querySelector('form.review')?.requestSubmit(); }
});
