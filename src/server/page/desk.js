// SPDX-License-Identifier: MIT
// desk.js: the review desk's page (docs/serve.md, "The desk"). A client of
// the JSON API (docs/http-api.md) like any script: the session cookie
// and the CSRF header instead of a bearer token. Every string from the
// server (file names, alt text, comments, reasons) goes into the page as
// text (textContent, attributes), never as HTML. The page's own words come
// from data/messages.ini, served as /desk/messages/LANG.json.
'use strict';

(() => {
  // ---- the API's paths (docs/http-api.md) ----
  const enc = encodeURIComponent;
  const API = {
    session: '/api/v1/session',
    login: '/api/v1/login',
    logout: '/api/v1/logout',
    photos: '/api/v1/photos',
    photo: (id) => '/api/v1/photos/' + enc(id),
    focus: (id) => '/api/v1/photos/' + enc(id) + '/focus',
    alt: (id) => '/api/v1/photos/' + enc(id) + '/alt',
    masks: (id) => '/api/v1/photos/' + enc(id) + '/masks',
    photoReview: (id) => '/api/v1/photos/' + enc(id) + '/review',
    review: (id) => '/api/v1/outputs/' + enc(id) + '/review',
    publish: (id) => '/api/v1/outputs/' + enc(id) + '/publish',
    events: (after) => '/api/v1/events?after=' + enc(after),
    stream: '/api/v1/events/stream',
    messages: (lang) => '/desk/messages/' + enc(lang) + '.json',
  };
  const CSRF_HEADER = 'X-CSRF-Token';
  const LANGS = ['en', 'fr', 'es', 'ar', 'zh', 'ru'];
  const RTL = new Set(['ar']);
  // the queue's states, in the order a photo goes through them; the API's
  // names on the left, the words' ids on the right
  const STATES = [
    ['processing', 'desk.state.processing'],
    ['attention', 'desk.state.attention'],
    ['review', 'desk.state.review'],
    ['changes', 'desk.state.changes'],
    ['approved', 'desk.state.approved'],
    ['published', 'desk.state.published'],
    ['failed', 'desk.state.failed'],
  ];
  const STATE_WORD = Object.fromEntries(STATES);
  // an output's own review state, in words
  const REVIEW_WORD = {
    'waiting': 'desk.state.review',
    'void': 'desk.state.review',
    'approved': 'desk.state.approved',
    'changes': 'desk.state.changes',
  };
  // how often the page asks for new events (docs/http-api.md, "Events")
  const POLL_MS = 2000;

  const desk = {
    lang: 'en', words: {}, me: null, csrf: null, photos: [], counts: {},
    filter: null, photo: null, lastEvent: 0, poll: null, stream: null, live: null, drafts: {},
    // the mask editor's draft: boxes, faces left unmasked, the selected box
    masks: [], unmask: new Set(), masksDirty: false, maskSel: null, drawing: false, dragging: false,
  };
  window.attacheDesk = desk; // for the browser tests and the curious

  // ---- words ----

  // The page's words for @id, each {key} of @vars filled in (as text).
  function t(id, vars) {
    let s = Object.prototype.hasOwnProperty.call(desk.words, id) ? desk.words[id] : id;
    for (const [k, v] of Object.entries(vars || {}))
      s = s.split('{' + k + '}').join(String(v));
    return s;
  }

  async function loadWords(lang) {
    const r = await fetch(API.messages(lang), { credentials: 'same-origin' });
    if (!r.ok)
      throw new Error('messages ' + lang + ': ' + r.status);
    desk.words = await r.json();
    desk.lang = lang;
    const root = document.documentElement;
    root.lang = lang;
    root.dir = RTL.has(lang) ? 'rtl' : 'ltr';
    document.title = t('desk.title') + ' · attache';
    byId('title').textContent = t('desk.title');
    byId('page-lang-label').textContent = t('desk.page-lang');
    byId('logout').textContent = t('desk.logout');
    byId('skip').textContent = t('desk.queue');
    byId('page-lang').value = lang;
  }

  function pageLang() {
    const saved = localStorage.getItem('attache.lang');
    if (saved && LANGS.includes(saved))
      return saved;
    for (const l of navigator.languages || []) {
      const base = l.split('-')[0].toLowerCase();
      if (LANGS.includes(base))
        return base;
    }
    return 'en';
  }

  // ---- the DOM, text only ----

  function byId(id) {
    return document.getElementById(id);
  }

  // A new element: @props are properties (className, type, ...), with
  // dataset: {...}, attrs: {...} and on: {event: handler}; @kids are nodes
  // or strings (text nodes).
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null)
        continue;
      if (k === 'dataset')
        Object.assign(e.dataset, v);
      else if (k === 'attrs')
        for (const [a, av] of Object.entries(v))
          e.setAttribute(a, av);
      else if (k === 'on')
        for (const [ev, fn] of Object.entries(v))
          e.addEventListener(ev, fn);
      else if (k === 'text')
        e.textContent = v;
      else
        e[k] = v;
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false)
        continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  function say(text) {
    byId('status').textContent = text;
  }

  function alertText(text) {
    const a = byId('alert');
    a.textContent = text || '';
    a.hidden = !text;
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || code || String(status));
      this.status = status;
      this.code = code;
    }
  }

  // One JSON call: @body an object (sent as JSON) or FormData. Returns the
  // answer's JSON (null for 204). A state-changing call carries the CSRF
  // header. Throws ApiError with the server's own code and message.
  async function call(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET' && desk.csrf)
      init.headers[CSRF_HEADER] = desk.csrf;
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'network', t('desk.error.network'));
    }
    let data = null;
    if (r.status !== 204) {
      try {
        data = await r.json();
      } catch (e) {
        data = null;
      }
    }
    if (!r.ok) {
      const err = (data && data.error) || data || {};
      const e = new ApiError(r.status, err.code, err.message);
      e.retryAfter = Number(r.headers.get('Retry-After')) || err.retry_after || 0;
      throw e;
    }
    return data;
  }

  function refused(e) {
    if (e.status === 401 && desk.me) {
      desk.me = null;
      showLogin();
      return;
    }
    alertText(e.code === 'network' ? e.message : t('desk.error.refused', { reason: e.message }));
  }

  // ---- login ----

  function showLogin(message) {
    stopLive();
    byId('who').hidden = true;
    byId('logout').hidden = true;
    const name = el('input', { id: 'login-name', name: 'name', type: 'text', autocomplete: 'username', required: true });
    const pass = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const err = el('p', { id: 'login-error', className: 'error', attrs: { role: 'alert' }, text: message || '' });
    const form = el('form', { id: 'login', className: 'login', on: { submit: (ev) => login(ev, name, pass, err) } },
      el('h2', { text: t('desk.login.title') }),
      el('label', { htmlFor: 'login-name', text: t('desk.login.name') }), name,
      el('label', { htmlFor: 'login-password', text: t('desk.login.password') }), pass,
      err,
      el('button', { type: 'submit', id: 'login-submit', text: t('desk.login.title') }));
    byId('main').replaceChildren(form);
    name.focus();
  }

  async function login(ev, name, pass, err) {
    ev.preventDefault();
    err.textContent = '';
    try {
      const s = await call('POST', API.login, { name: name.value, password: pass.value });
      pass.value = '';
      signedIn(s);
    } catch (e) {
      if (e.status === 429)
        err.textContent = t('desk.login.blocked', { seconds: e.retryAfter || 60 });
      else if (e.status === 401 || e.status === 403)
        err.textContent = t('desk.login.failed');
      else
        err.textContent = t('desk.error.refused', { reason: e.message });
      pass.select();
    }
  }

  async function logout() {
    try {
      await call('POST', API.logout);
    } catch (e) {
      // signed out on this side all the same
    }
    desk.me = null;
    desk.csrf = null;
    showLogin();
  }

  function signedIn(s) {
    desk.me = s.user || s;
    desk.csrf = s.csrf || s.csrf_token || desk.csrf;
    const who = byId('who');
    who.textContent = t('desk.signed-in', { name: desk.me.name, role: t('desk.role.' + desk.me.role) });
    who.hidden = false;
    byId('logout').hidden = false;
    startLive();
    route();
  }

  // ---- routes: #queue, #queue/STATE, #photo/ID ----

  function route() {
    if (!desk.me)
      return showLogin();
    alertText('');
    const h = decodeURIComponent(location.hash.slice(1));
    if (h.startsWith('photo/'))
      return showPhoto(h.slice(6));
    desk.filter = h.startsWith('queue/') ? h.slice(6) : null;
    desk.photo = null;
    return showQueue();
  }

  // ---- the queue ----

  async function loadQueue() {
    const q = await call('GET', API.photos);
    desk.photos = q.photos || [];
    desk.counts = q.counts || {};
    if (!q.counts)
      for (const p of desk.photos)
        desk.counts[p.state] = (desk.counts[p.state] || 0) + 1;
  }

  async function showQueue() {
    try {
      await loadQueue();
    } catch (e) {
      return refused(e);
    }
    if (desk.photo)
      return; // moved on meanwhile
    const main = byId('main');
    const keep = main.querySelector('#intake');
    main.replaceChildren(keep || intake(), queueView());
  }

  function queueView() {
    const tabs = el('ul', { className: 'states' },
      el('li', {}, el('a', {
        href: '#queue', className: 'state-tab', attrs: desk.filter ? {} : { 'aria-current': 'page' },
      }, t('desk.queue'), ' ', el('span', { className: 'count', dataset: { count: 'all' }, text: desk.photos.length }))),
      STATES.map(([state, word]) => el('li', {}, el('a', {
        href: '#queue/' + state, className: 'state-tab', dataset: { state },
        attrs: desk.filter === state ? { 'aria-current': 'page' } : {},
      }, t(word), ' ', el('span', { className: 'count', dataset: { count: state }, text: desk.counts[state] || 0 })))));
    const shown = desk.photos.filter((p) => !desk.filter || p.state === desk.filter);
    const list = shown.length ?
      el('ul', { className: 'photos' }, shown.map(photoCard)) :
      el('p', { className: 'empty', text: t('desk.queue.empty') });
    return el('section', { id: 'queue', className: 'queue', attrs: { 'aria-labelledby': 'queue-title' } },
      el('h2', { id: 'queue-title', text: t('desk.queue') }),
      el('nav', { attrs: { 'aria-label': t('desk.queue') } }, tabs), list);
  }

  // the words of a failed photo's reason: the server gives the library's
  // stable code (error.code: input, unsupported, limit, image, budget,
  // write, audit, alt-text, usage, internal, original-deleted) and the
  // page says it in its own language (failure.CODE of the messages file);
  // a code it has no words for falls back to the server's message
  function failedWhy(p) {
    const err = p.error;
    if (!err)
      return '';
    if (typeof err === 'string')
      return err;
    if (err.code && desk.words['failure.' + err.code])
      return t('failure.' + err.code);
    return err.message || err.detail || '';
  }

  function photoCard(p) {
    const thumb = p.preview_url && p.preview_sha256 ? p.preview_url + '?v=' + enc(p.preview_sha256.slice(0, 16)) : (p.preview_url || p.thumb_url);
    return el('li', { className: 'photo-card', dataset: { id: p.id, state: p.state } },
      el('a', { href: '#photo/' + enc(p.id), className: 'open' },
        thumb ? el('img', { src: thumb, alt: t('desk.photo.preview', { file: p.name || p.id }), loading: 'lazy' }) : null,
        el('bdi', { className: 'name', text: p.name || p.id })),
      el('span', { className: 'state', text: t(STATE_WORD[p.state] || p.state) }),
      p.state === 'failed' ? el('p', { className: 'why', text: t('desk.failed.why', { reason: failedWhy(p) }) }) : null);
  }

  // ---- intake: drop or pick, one progress bar per file ----

  // a text field (the server's default when empty), remembered in the
  // browser for the next visit
  function field(id, word) {
    const input = el('input', {
      type: 'text', id, name: id, value: localStorage.getItem('attache.' + id) || '', placeholder: t('desk.intake.none'),
      on: { change: (ev) => localStorage.setItem('attache.' + id, ev.target.value.trim()) },
    });
    return el('p', { className: 'field' }, el('label', { htmlFor: id, text: t(word) }), input);
  }

  function intake() {
    const pick = el('input', {
      type: 'file', id: 'intake-files', multiple: true, accept: 'image/*,.heic,.heif',
      on: { change: () => { send([...pick.files]); pick.value = ''; } },
    });
    const langs = el('fieldset', { className: 'langs' }, el('legend', { text: t('desk.intake.langs') }),
      LANGS.map((code) => {
        const id = 'intake-lang-' + code;
        return el('span', { className: 'lang-choice' },
          el('input', { type: 'checkbox', id, name: 'lang', value: code }),
          el('label', { htmlFor: id, text: code, attrs: { lang: code } }));
      }));
    const protect = el('input', { type: 'checkbox', id: 'intake-protect', name: 'protect' });
    const zone = el('div', { id: 'drop', className: 'drop' },
      el('p', {}, el('label', { htmlFor: 'intake-files', text: t('desk.intake.drop') })), pick);
    return el('section', { id: 'intake', className: 'intake', attrs: { 'aria-labelledby': 'intake-title' } },
      el('h2', { id: 'intake-title', text: t('desk.intake') }),
      el('div', { className: 'intake-options' },
        field('intake-presets', 'desk.intake.presets'),
        field('intake-campaign', 'desk.intake.campaign'),
        langs,
        el('p', { className: 'field' }, protect, el('label', { htmlFor: 'intake-protect', text: t('desk.intake.protect') }))),
      zone, el('ul', { id: 'uploads', className: 'uploads' }));
  }

  function intakeFields() {
    const f = {};
    const v = (id) => (byId(id) ? byId(id).value : '');
    if (v('intake-presets'))
      f.presets = v('intake-presets');
    if (v('intake-campaign'))
      f.campaign = v('intake-campaign');
    const langs = [...document.querySelectorAll('#intake input[name=lang]:checked')].map((c) => c.value);
    if (langs.length)
      f.lang = langs.join(',');
    if (byId('intake-protect') && byId('intake-protect').checked)
      f.protect = 'true';
    return f;
  }

  // Sends each file on its own request (XHR: fetch reports no upload
  // progress), two at a time.
  function send(files) {
    const fields = intakeFields();
    const list = byId('uploads');
    const jobs = files.map((file) => {
      const bar = el('progress', { max: 100, value: 0, attrs: { 'aria-label': t('desk.upload.sending', { file: file.name }) } });
      const text = el('span', { className: 'upload-text', text: t('desk.upload.sending', { file: file.name }) });
      const li = el('li', { className: 'upload', dataset: { file: file.name, state: 'sending' } }, text, bar);
      list.append(li);
      return { file, bar, text, li };
    });
    let next = 0;
    const runOne = () => {
      if (next >= jobs.length)
        return Promise.resolve();
      const job = jobs[next++];
      return upload(job, fields).then(runOne);
    };
    return Promise.all([runOne(), runOne()]).then(() => refreshSoon());
  }

  function upload(job, fields) {
    return new Promise((resolve) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields))
        form.append(k, v);
      form.append('file', job.file, job.file.name);
      const x = new XMLHttpRequest();
      x.open('POST', API.photos);
      x.withCredentials = true;
      x.setRequestHeader('Accept', 'application/json');
      if (desk.csrf)
        x.setRequestHeader(CSRF_HEADER, desk.csrf);
      x.upload.onprogress = (ev) => {
        if (ev.lengthComputable)
          job.bar.value = Math.round((100 * ev.loaded) / ev.total);
      };
      const done = (ok, reason, id) => {
        job.li.dataset.state = ok ? 'done' : 'failed';
        if (id)
          job.li.dataset.id = id;
        job.bar.value = ok ? 100 : job.bar.value;
        job.text.textContent = ok ? t('desk.upload.done', { file: job.file.name }) :
          t('desk.upload.failed', { file: job.file.name, reason });
        resolve();
      };
      x.onload = () => {
        let data = null;
        try {
          data = JSON.parse(x.responseText);
        } catch (e) {
          data = null;
        }
        if (x.status >= 200 && x.status < 300)
          return done(true, '', data && String(data.id));
        // refusals the library's words cover, in the page's language
        const err = (data && data.error) || data || {};
        const known = { 'not-an-image': 'failure.unsupported', 'too-large': 'failure.limit' }[err.code];
        return done(false, known && desk.words[known] ? t(known) : err.message || String(x.status));
      };
      x.onerror = () => done(false, t('desk.error.network'));
      x.send(form);
    });
  }

  function dropHandlers() {
    const zone = () => byId('drop');
    document.addEventListener('dragover', (ev) => {
      if (!desk.me || !zone() || ![...ev.dataTransfer.types].includes('Files'))
        return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
      zone().classList.add('over');
    });
    document.addEventListener('dragleave', (ev) => {
      if (zone() && ev.target === document.documentElement)
        zone().classList.remove('over');
    });
    document.addEventListener('drop', (ev) => {
      if (!desk.me || !zone())
        return;
      ev.preventDefault();
      zone().classList.remove('over');
      const files = [...ev.dataTransfer.files];
      if (files.length)
        send(files);
    });
  }

  // ---- the photo view ----

  async function showPhoto(id) {
    let p;
    try {
      p = await call('GET', API.photo(id));
    } catch (e) {
      return refused(e);
    }
    if (decodeURIComponent(location.hash.slice(1)) !== 'photo/' + id)
      return; // moved on meanwhile
    const first = !desk.photo || desk.photo.id !== p.id;
    desk.photo = p;
    const editing = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest('#photo textarea, #photo input[type=text]');
    // never throw away what someone types, or a box being drawn or moved
    // (a mask draft not saved yet is kept in desk.masks across redraws)
    if (!first && (editing || desk.dragging))
      return updateOutputs(p);
    if (first)
      desk.maskSel = null;
    if (first || !desk.masksDirty)
      loadMasks(p);
    const had = !first && document.activeElement ? document.activeElement.id : '';
    byId('main').replaceChildren(photoView(p));
    if (first)
      byId('photo-title').focus();
    else if (had && byId(had))
      byId(had).focus(); // a keyboard user stays where they were
  }

  function photoView(p) {
    const name = p.name || p.id;
    return el('article', { id: 'photo', className: 'photo', dataset: { id: p.id, state: p.state } },
      el('p', {}, el('a', { href: '#queue', className: 'back', text: t('desk.photo.back') })),
      el('h2', { id: 'photo-title', tabIndex: -1 }, el('bdi', { text: name })),
      el('p', { className: 'state', text: t(STATE_WORD[p.state] || p.state) }),
      p.state === 'failed' ? el('p', { className: 'why', text: t('desk.failed.why', { reason: failedWhy(p) }) }) : null,
      el('div', { className: 'photo-top' }, focusView(p), altEditors(p)),
      photoReview(p),
      outputsView(p),
      historyView(p));
  }

  // The stripped preview (never the original): a click sets the focus
  // point; from the keyboard, arrows move it and Enter sets it.
  function focusView(p) {
    // the photo's focus point ("X,Y" in its options), else the middle
    const given = String((p.options && p.options.focus) || '').split(',').map(Number);
    const f = given.length === 2 && given.every((v) => v >= 0 && v <= 1) ? { x: given[0], y: given[1] } : { x: 0.5, y: 0.5 };
    const pos = { x: f.x, y: f.y };
    const marker = el('span', { className: 'focus-mark', attrs: { 'aria-hidden': 'true' } });
    const place = () => {
      marker.style.left = 100 * pos.x + '%';
      marker.style.top = 100 * pos.y + '%';
    };
    place();
    // the preview changes with the masks: its bytes' hash in the address
    const src = p.preview_url && p.preview_sha256 ? p.preview_url + '?v=' + enc(p.preview_sha256.slice(0, 16)) : p.preview_url;
    const img = el('img', {
      id: 'preview', src, alt: t('desk.photo.preview', { file: p.name || p.id }), draggable: false,
    });
    const maskLayer = el('div', { className: 'mask-layer', attrs: { 'aria-hidden': 'true' } });
    const frame = el('div', {
      id: 'focus', className: 'focus', tabIndex: 0,
      attrs: { role: 'application', 'aria-label': t('desk.photo.preview', { file: p.name || p.id }), 'aria-describedby': 'focus-help' },
    }, img, marker, maskLayer);
    const set = () => setFocus(p.id, pos);
    frame.addEventListener('click', (ev) => {
      if (desk.drawing)
        return;
      const r = img.getBoundingClientRect();
      pos.x = Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width));
      pos.y = Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height));
      place();
      set();
    });
    frame.addEventListener('keydown', (ev) => {
      const step = ev.shiftKey ? 0.1 : 0.02;
      const rtl = document.documentElement.dir === 'rtl';
      const moves = {
        ArrowLeft: [rtl ? step : -step, 0], ArrowRight: [rtl ? -step : step, 0], ArrowUp: [0, -step], ArrowDown: [0, step],
      };
      if (moves[ev.key]) {
        ev.preventDefault();
        pos.x = Math.min(1, Math.max(0, pos.x + moves[ev.key][0]));
        pos.y = Math.min(1, Math.max(0, pos.y + moves[ev.key][1]));
        place();
      } else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        set();
      }
    });
    const masks = p.masks ? maskEditor(p, frame, img, maskLayer) : null;
    return el('section', { className: 'focus-view', attrs: { 'aria-labelledby': 'focus-title' } },
      el('h3', { id: 'focus-title', className: 'visually-hidden', text: t('desk.photo.preview', { file: p.name || p.id }) }),
      frame, el('p', { id: 'focus-help', className: 'help', text: t('desk.photo.focus') }), masks);
  }

  async function setFocus(id, pos) {
    try {
      await call('POST', API.focus(id), { x: Number(pos.x.toFixed(4)), y: Number(pos.y.toFixed(4)) });
      refreshSoon();
    } catch (e) {
      refused(e);
    }
  }

  // ---- masks: boxes drawn by hand, faces found (docs/masking.md) ----
  //
  // The boxes and the faces left unmasked are the page's draft until Save
  // sends them (PUT .../masks), which makes every output again. With the
  // mouse, in drawing mode: drag on the photo to draw a box, drag a box to
  // move it, its corner to resize it. From the keyboard: "Add a box" puts
  // one in the middle; on a box's button arrows move it, Shift and arrows
  // resize it, Delete removes it. Faces: a tick box each.

  // the photo's saved masks, as the page's draft (unless one is being edited)
  function loadMasks(p) {
    const m = p.masks || {};
    desk.masks = (m.regions || []).map((r) => ({ x: r.x, y: r.y, w: r.w, h: r.h }));
    desk.unmask = new Set(m.unmask || []);
    desk.masksDirty = false;
    if (desk.maskSel !== null && desk.maskSel >= desk.masks.length)
      desk.maskSel = null;
  }

  const pct = (v) => Math.round(v * 1000) / 10;
  const clamp01 = (v) => Math.min(1, Math.max(0, v));

  function maskEditor(p, frame, img, layer) {
    const faces = p.faces || [];
    const list = el('ul', { className: 'mask-list', id: 'mask-list' });
    const facesList = el('ul', { className: 'face-list', id: 'face-list' });
    const status = el('p', { className: 'mask-status', attrs: { role: 'status' } });
    const toggle = el('button', { type: 'button', id: 'mask-draw', attrs: { 'aria-pressed': String(desk.drawing) }, text: t('desk.mask.draw') });
    const add = el('button', { type: 'button', id: 'mask-add', text: t('desk.mask.add') });
    const save = el('button', { type: 'button', id: 'mask-save', text: t('desk.mask.save') });
    frame.classList.toggle('drawing', desk.drawing);
    const changed = () => {
      desk.masksDirty = true;
      status.textContent = t('desk.mask.unsaved');
      draw();
    };
    const boxStyle = (node, m) => {
      Object.assign(node.style, { left: 100 * m.x + '%', top: 100 * m.y + '%', width: 100 * m.w + '%', height: 100 * m.h + '%' });
      return node;
    };
    const itemLabel = (m, i) => t('desk.mask.item', { n: i + 1, x: pct(m.x), y: pct(m.y), w: pct(m.w), h: pct(m.h) });
    // the layer over the preview: faces (numbered; dashed when masked,
    // red when left visible), then the boxes
    const draw = () => {
      const faceBoxes = faces.map((f) => {
        const visible = desk.unmask.has(f.n) || (!f.masked && !p.faces_protected);
        const box = el('div', { className: 'face-box' + (visible ? ' visible' : ''), dataset: { n: f.n } },
          el('span', { className: 'face-n', text: String(f.n) }));
        return boxStyle(box, f);
      });
      const boxes = desk.masks.map((m, i) => boxStyle(el('div', {
        className: 'mask' + (desk.maskSel === i ? ' selected' : ''), dataset: { n: i + 1 },
      }, el('span', { className: 'handle' })), m));
      layer.replaceChildren(...faceBoxes, ...boxes);
      const keepFocus = document.activeElement && document.activeElement.classList.contains('mask-item');
      list.replaceChildren(...desk.masks.map((m, i) => el('li', { dataset: { n: i + 1 } },
        el('button', {
          type: 'button', className: 'mask-item', id: 'mask-item-' + (i + 1), text: t('desk.mask.n', { n: i + 1 }),
          attrs: { 'aria-label': itemLabel(m, i), 'aria-describedby': 'mask-help', 'aria-pressed': String(desk.maskSel === i) },
          on: { click: () => { desk.maskSel = i; draw(); byId('mask-item-' + (i + 1)).focus(); }, keydown: (ev) => boxKey(ev, i) },
        }), ' ',
        el('button', {
          type: 'button', className: 'mask-remove', text: t('desk.mask.remove', { n: i + 1 }),
          on: { click: () => { desk.masks.splice(i, 1); desk.maskSel = null; changed(); } },
        }))));
      if (keepFocus && desk.maskSel !== null && byId('mask-item-' + (desk.maskSel + 1)))
        byId('mask-item-' + (desk.maskSel + 1)).focus();
    };
    // the keyboard on a box's button
    const boxKey = (ev, i) => {
      const m = desk.masks[i];
      const step = 0.01;
      const rtl = document.documentElement.dir === 'rtl';
      const d = { ArrowLeft: [rtl ? step : -step, 0], ArrowRight: [rtl ? -step : step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[ev.key];
      if (d) {
        ev.preventDefault();
        desk.maskSel = i;
        if (ev.shiftKey) {
          m.w = Math.min(1 - m.x, Math.max(0.01, m.w + d[0]));
          m.h = Math.min(1 - m.y, Math.max(0.01, m.h + d[1]));
        } else {
          m.x = Math.min(1 - m.w, clamp01(m.x + d[0]));
          m.y = Math.min(1 - m.h, clamp01(m.y + d[1]));
        }
        changed();
      } else if (ev.key === 'Delete' || ev.key === 'Backspace') {
        ev.preventDefault();
        desk.masks.splice(i, 1);
        desk.maskSel = null;
        changed();
        add.focus();
      }
    };
    toggle.addEventListener('click', () => {
      desk.drawing = !desk.drawing;
      toggle.setAttribute('aria-pressed', String(desk.drawing));
      frame.classList.toggle('drawing', desk.drawing);
    });
    add.addEventListener('click', () => {
      if (desk.masks.length >= 64)
        return;
      desk.masks.push({ x: 0.4, y: 0.4, w: 0.2, h: 0.2 });
      desk.maskSel = desk.masks.length - 1;
      changed();
      byId('mask-item-' + desk.masks.length).focus();
    });
    save.addEventListener('click', async () => {
      const regions = desk.masks.map((m) => ({
        x: Number(m.x.toFixed(4)), y: Number(m.y.toFixed(4)), w: Math.max(0.0001, Number(m.w.toFixed(4))), h: Math.max(0.0001, Number(m.h.toFixed(4))),
      }));
      try {
        await call('PUT', API.masks(p.id), { regions, unmask: [...desk.unmask].sort((a, b) => a - b) });
        desk.masksDirty = false;
        status.textContent = t('desk.mask.saved');
        refreshSoon();
      } catch (e) {
        status.textContent = t('desk.error.refused', { reason: e.message });
      }
    });
    // the mouse, in drawing mode
    const at = (ev) => {
      const r = img.getBoundingClientRect();
      return { x: clamp01((ev.clientX - r.left) / r.width), y: clamp01((ev.clientY - r.top) / r.height) };
    };
    let drag = null;
    frame.addEventListener('pointerdown', (ev) => {
      if (!desk.drawing)
        return;
      ev.preventDefault();
      const q = at(ev);
      const hit = ev.target.closest('.mask');
      if (hit) {
        const i = Number(hit.dataset.n) - 1;
        const m = desk.masks[i];
        desk.maskSel = i;
        drag = { m, from: q, orig: { ...m }, resize: ev.target.classList.contains('handle'), anchor: { x: m.x, y: m.y } };
      } else {
        if (desk.masks.length >= 64)
          return;
        const m = { x: q.x, y: q.y, w: 0, h: 0 };
        desk.masks.push(m);
        desk.maskSel = desk.masks.length - 1;
        drag = { m, from: q, orig: { ...m }, resize: true, anchor: q };
      }
      desk.dragging = true;
      frame.setPointerCapture(ev.pointerId);
    });
    frame.addEventListener('pointermove', (ev) => {
      if (!drag)
        return;
      const q = at(ev);
      const { m, from, orig } = drag;
      if (drag.resize) {
        const a = drag.anchor;
        m.x = Math.min(a.x, q.x);
        m.y = Math.min(a.y, q.y);
        m.w = Math.abs(q.x - a.x);
        m.h = Math.abs(q.y - a.y);
      } else {
        m.x = Math.min(1 - m.w, Math.max(0, orig.x + q.x - from.x));
        m.y = Math.min(1 - m.h, Math.max(0, orig.y + q.y - from.y));
      }
      draw();
    });
    const end = () => {
      if (!drag)
        return;
      if (drag.m.w < 0.005 || drag.m.h < 0.005) {
        desk.masks.splice(desk.masks.indexOf(drag.m), 1);
        desk.maskSel = null;
      }
      drag = null;
      desk.dragging = false;
      changed();
    };
    frame.addEventListener('pointerup', end);
    frame.addEventListener('pointercancel', end);
    // the faces: masked or left visible, a decision the server flags
    // faces-visible for a second person's deliberate yes
    if (faces.length && p.faces_protected)
      facesList.replaceChildren(...faces.map((f) => {
        const id = 'face-' + f.n;
        const box = el('input', {
          type: 'checkbox', id, className: 'face-masked', checked: !desk.unmask.has(f.n), dataset: { n: f.n },
          on: {
            change: (ev) => {
              if (ev.target.checked)
                desk.unmask.delete(f.n);
              else
                desk.unmask.add(f.n);
              changed();
            },
          },
        });
        return el('li', {}, box, el('label', { htmlFor: id, text: t('desk.mask.face', { n: f.n }) }));
      }));
    // a photo not protected and without faces has nothing to say here
    const facesNote = p.faces_protected ? (faces.length ? null : t('desk.mask.no-face')) :
      (faces.length ? t('desk.mask.faces-off', { count: faces.length }) : null);
    draw();
    if (desk.masksDirty)
      status.textContent = t('desk.mask.unsaved');
    return el('section', { className: 'masks', id: 'masks', attrs: { 'aria-labelledby': 'mask-title' } },
      el('h3', { id: 'mask-title', text: t('desk.mask.title') }),
      el('p', { id: 'mask-help', className: 'help', text: t('desk.mask.help') }),
      el('p', { className: 'mask-tools' }, toggle, ' ', add),
      list,
      faces.length || facesNote ? el('h4', { id: 'faces-title', text: t('desk.mask.faces') }) : null,
      facesNote ? el('p', { className: 'help faces-note', text: facesNote }) : null,
      faces.length && p.faces_protected ? facesList : null,
      save, status);
  }

  // ---- alt text, one editor per language, counted against each
  //      platform's limit as it is typed ----

  const chars = (s) => [...s].length; // code points, as attache counts

  // an output's own alt text: its language's, else the x-default it got
  function altOf(o) {
    if (typeof o.alt === 'string')
      return o.alt;
    const alts = o.alt || [];
    const mine = alts.find((a) => a.lang === o.lang) || alts.find((a) => a.lang === 'x-default') || alts[0];
    return mine ? mine.text : '';
  }

  const madeByMe = (o) => !!(desk.me && (o.prepared_by || []).includes(desk.me.name));

  function langsOf(p) {
    const seen = [];
    for (const o of p.outputs || [])
      if (!seen.includes(o.lang || ''))
        seen.push(o.lang || '');
    return seen;
  }

  function altEditors(p) {
    return el('section', { className: 'alts', attrs: { 'aria-labelledby': 'alts-title' } },
      el('h3', { id: 'alts-title', text: t('desk.output.alt', { lang: langsOf(p).join(', ') }) }),
      langsOf(p).map((lang) => altEditor(p, lang)));
  }

  function altEditor(p, lang) {
    const outs = (p.outputs || []).filter((o) => (o.lang || '') === lang);
    const id = 'alt-' + (lang || 'x-default');
    const opts = p.options || {};
    const own = opts[lang ? 'alt.' + lang : 'alt'];
    const current = own !== undefined && own !== null ? own : (outs.length ? altOf(outs[0]) : '');
    const area = el('textarea', {
      id, name: id, rows: 3, value: current, dir: 'auto', attrs: { lang: lang || 'und', 'aria-describedby': id + '-counts' },
    });
    // what was typed and not saved yet survives the page's own redraws
    const draftKey = p.id + '/' + (lang || 'x-default');
    area.value = Object.prototype.hasOwnProperty.call(desk.drafts, draftKey) ? desk.drafts[draftKey] : current;
    const counts = el('ul', { id: id + '-counts', className: 'alt-counts', attrs: { 'aria-live': 'polite' } });
    const limits = [];
    for (const o of outs) {
      const limit = o.alt_limit || (o.limits && o.limits.alt);
      const platform = o.platform || o.preset;
      if (limit && !limits.some((l) => l.platform === platform && l.limit === limit))
        limits.push({ platform, limit });
    }
    const recount = () => {
      const n = chars(area.value);
      counts.replaceChildren(...limits.map(({ platform, limit }) => el('li', {
        className: n > limit ? 'count over' : 'count', dataset: { platform, limit, chars: n },
      }, n > limit ? t('desk.output.over', { count: n, limit, platform }) : [el('bdi', { text: platform }), ': ', t('desk.output.count', { count: n, limit })])));
    };
    area.addEventListener('input', () => {
      desk.drafts[draftKey] = area.value;
      recount();
    });
    recount();
    const save = el('button', {
      type: 'button', className: 'alt-save', dataset: { lang }, text: t('desk.output.save-alt'),
      on: {
        click: async () => {
          try {
            const text = area.value;
            await call('POST', API.alt(p.id), { lang: lang || 'x-default', text });
            if (desk.drafts[draftKey] === text)
              delete desk.drafts[draftKey];
            refreshSoon();
          } catch (e) {
            refused(e);
          }
        },
      },
    });
    return el('div', { className: 'alt-editor', dataset: { lang } },
      el('label', { htmlFor: id, text: t('desk.output.alt', { lang: lang || 'x-default' }) }), area, counts, save);
  }

  // ---- the outputs, side by side per language ----

  function outputsView(p) {
    const groups = langsOf(p).map((lang) => el('section', { className: 'lang-group', dataset: { lang } },
      el('h4', { text: lang || 'x-default', attrs: { lang: lang || 'und' } }),
      el('div', { className: 'outputs' }, (p.outputs || []).filter((o) => (o.lang || '') === lang).map((o) => outputView(p, o)))));
    return el('section', { id: 'outputs', attrs: { 'aria-labelledby': 'outputs-title' } },
      el('h3', { id: 'outputs-title', text: t('desk.photo.outputs') }), groups);
  }

  // the flags that need a deliberate yes before an approval
  function needsYes(o) {
    return (o.flags || []).some((f) => (f.severity || 'needs-yes') !== 'info' && (f.severity || 'needs-yes') !== 'none');
  }

  function flagsView(o) {
    const flags = o.flags || [];
    return el('div', { className: 'flags' },
      el('h5', { text: t('desk.output.flags') }),
      flags.length ?
        el('ul', {}, flags.map((f) => el('li', {
          className: 'flag ' + (f.severity || ''), dataset: { flag: f.id || f.flag || f, severity: f.severity || '' },
        }, el('strong', { text: f.label || f.id || f }), f.detail || f.text ? ': ' + (f.detail || f.text) : ''))) :
        el('p', { className: 'no-flags', text: t('desk.output.no-flags') }));
  }

  function outputImage(o) {
    const label = t('desk.output.image', { preset: o.preset, lang: o.lang || 'x-default', width: o.width, height: o.height });
    const src = o.url + (o.url.includes('?') ? '&' : '?') + 'v=' + enc((o.sha256 || '').slice(0, 16));
    const img = el('img', { src, alt: altOf(o), width: o.width, height: o.height, className: 'output-img' });
    const kids = [img];
    // what the platform shows where it is documented: Instagram's profile
    // grid trims a 4:5 post to its middle 3:4
    const platform = o.platform || o.preset || '';
    const ratio = o.width / o.height;
    if (platform.startsWith('instagram') && Math.abs(ratio - 0.8) < 0.01) {
      const side = (100 * (1 - 0.75 / ratio)) / 2;
      const trim = el('span', { className: 'grid-trim', attrs: { 'aria-hidden': 'true' } });
      trim.style.left = side + '%';
      trim.style.right = side + '%';
      kids.push(trim);
    }
    return el('figure', { className: 'output-figure' }, el('div', { className: 'output-frame' }, kids),
      el('figcaption', {}, label, platform.startsWith('instagram') && kids.length > 1 ? el('span', { className: 'grid-note', text: ' ' + t('desk.output.grid') }) : null));
  }

  function outputView(p, o) {
    const state = (o.review && o.review.state) || 'waiting';
    const comments = o.review && o.review.comment && state !== 'void' ? [o.review] : [];
    return el('article', {
      className: 'output', dataset: { id: o.id, preset: o.preset, lang: o.lang || '', state, sha256: o.sha256 || '' },
    },
      outputImage(o),
      el('p', { className: 'review-state', text: t('desk.output.state', { state: t(REVIEW_WORD[state] || state) }) }),
      comments.map((c) => el('p', { className: 'comment', text: t('desk.output.comment', { name: c.by || c.name || '', comment: c.comment }) })),
      flagsView(o),
      reviewControls('out-' + o.id, needsYes(o) && state !== 'approved', madeByMe(o) && state !== 'approved',
        (body) => call('POST', API.review(o.id), Object.assign(body, { sha256: o.sha256 })), state === 'approved'),
      publishView(o, state));
  }

  // Approve (a deliberate second click when something is flagged), or
  // Request changes with a comment. @own: this user made the bytes (the
  // server refuses their approval; the page says why beforehand).
  function reviewControls(key, flagged, own, post, approved) {
    const sure = flagged ? el('input', { type: 'checkbox', id: key + '-sure', className: 'sure' }) : null;
    const approve = el('button', { type: 'button', className: 'approve', text: t('desk.review.approve') });
    const comment = el('textarea', { id: key + '-comment', className: 'comment-box', rows: 2 });
    const changes = el('button', { type: 'button', className: 'changes', text: t('desk.review.changes') });
    const result = el('p', { className: 'review-result', attrs: { role: 'status' } });
    if (sure) {
      approve.disabled = true;
      sure.addEventListener('change', () => { approve.disabled = !sure.checked; });
    }
    const decide = async (decision) => {
      result.textContent = '';
      try {
        const body = { decision, comment: comment.value };
        if (decision === 'approve' && sure)
          body.confirm = true;
        await post(body);
        refreshSoon();
      } catch (e) {
        result.textContent = e.status === 403 && own ? t('desk.review.own') + ' (' + e.message + ')' : t('desk.error.refused', { reason: e.message });
        result.classList.add('error');
      }
    };
    approve.addEventListener('click', () => decide('approve'));
    changes.addEventListener('click', () => decide('changes'));
    return el('div', { className: 'review' },
      own ? el('p', { className: 'own', text: t('desk.review.own') }) : null,
      sure ? el('p', { className: 'sure-line' }, sure, el('label', { htmlFor: key + '-sure', text: t('desk.review.flagged') })) : null,
      approved ? null : approve,
      el('label', { htmlFor: key + '-comment', text: t('desk.review.comment') }), comment, changes, result);
  }

  function photoReview(p) {
    const open = (p.outputs || []).filter((o) => !o.review || o.review.state !== 'approved');
    if (!open.length)
      return null;
    const flagged = open.some(needsYes);
    const own = (p.outputs || []).some(madeByMe);
    return el('section', { className: 'photo-review', attrs: { 'aria-labelledby': 'photo-review-title' } },
      el('h3', { id: 'photo-review-title', text: t('desk.review.photo') }),
      reviewControls('photo', flagged, own, (body) => call('POST', API.photoReview(p.id), body)));
  }

  // ---- publishing: media ids, errors, expiry ----

  function publishView(o, state) {
    const pubs = o.media || o.publishes || [];
    const lines = pubs.map((m) => {
      const platform = m.to || '';
      if (m.media_id)
        return el('li', {
          className: 'media', dataset: { platform, media: m.media_id, state: m.state },
          text: expiry(m.expires_at) ? t('desk.publish.media', { platform, id: m.media_id, expires: when(m.expires_at) }) :
            t('desk.publish.done', { platform, id: m.media_id }),
        });
      if (m.state === 'pending')
        return el('li', { className: 'media pending', dataset: { platform, state: m.state }, text: t('desk.upload.sending', { file: platform }) });
      if (m.state === 'unknown')
        return el('li', { className: 'media unknown', dataset: { platform, state: m.state } }, t('desk.publish.unknown', { platform }), ' ',
          el('button', { type: 'button', className: 'retry', text: t('desk.publish.retry'), on: { click: () => publish(o, platform, true) } }));
      return el('li', {
        className: 'media failed', dataset: { platform, state: m.state }, text: t('desk.publish.failed', { platform, reason: m.error || '' }),
      });
    });
    const can = state === 'approved' && desk.me && desk.me.role !== 'preparer' && !pubs.some((m) => ['done', 'pending', 'unknown'].includes(m.state));
    return el('div', { className: 'publish' },
      lines.length ? el('ul', { className: 'media-list' }, lines) : null,
      can ? el('button', { type: 'button', className: 'publish-button', text: t('desk.publish'), on: { click: () => publish(o) } }) : null);
  }

  async function publish(o, to, retry) {
    try {
      const body = {};
      if (to)
        body.to = to;
      if (retry)
        body.retry = true;
      await call('POST', API.publish(o.id), body);
      refreshSoon();
    } catch (e) {
      refused(e);
    }
  }

  // a real expiry time (the API gives none, or 0, where the platform
  // documents none)
  function expiry(ts) {
    if (!ts)
      return false;
    const d = typeof ts === 'number' ? new Date(ts * 1000) : new Date(ts);
    return !isNaN(d) && d.getTime() > 0;
  }

  // ---- history ----

  function when(ts) {
    if (!ts)
      return '';
    const d = typeof ts === 'number' ? new Date(ts * 1000) : new Date(ts);
    if (isNaN(d))
      return String(ts);
    return new Intl.DateTimeFormat(desk.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }

  // the events' kinds in the words of desk.event.*
  const EVENT_WORD = {
    upload: 'upload', prepared: 'prepared', failed: 'failed', focus: 'focus', alt: 'alt', masks: 'masks', approve: 'approve',
    changes: 'changes', publish: 'publish', 'publish-failed': 'publish-failed',
  };
  // the events whose detail is for people (a comment, an error)
  const EVENT_DETAIL = new Set(['changes', 'failed', 'publish-failed']);

  function historyView(p) {
    const events = p.history || [];
    return el('section', { className: 'history', attrs: { 'aria-labelledby': 'history-title' } },
      el('h3', { id: 'history-title', text: t('desk.history') }),
      el('ol', {}, events.filter((e) => e.kind !== 'state').map((e) => {
        const what = EVENT_WORD[e.kind] || e.kind || '';
        const name = e.actor || 'attache';
        const word = desk.words['desk.event.' + what] ? t('desk.event.' + what, { name }) : name + ' ' + what;
        return el('li', { className: 'event', dataset: { kind: e.kind || '' } },
          el('time', { dateTime: e.at || '', text: when(e.at) }), ' ', word,
          e.detail && EVENT_DETAIL.has(e.kind) ? [' ', el('q', { text: e.detail, dir: 'auto' })] : null);
      })));
  }

  // refresh what a photo shows without losing an editor's text
  function updateOutputs(p) {
    const old = byId('outputs');
    if (old)
      old.replaceWith(outputsView(p));
  }

  // ---- updates without reload: server-sent events, else polling ----

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      if (desk.me)
        route();
    }, 150);
  }

  // An event the page has not seen: redraw when it is about the photo on
  // screen, or anything while the queue is shown
  function onEvents(events) {
    if (!events.length)
      return;
    if (!desk.photo || events.some((e) => e.photo === desk.photo.id))
      refreshSoon();
  }

  // Polls GET /api/v1/events while the stream is down.
  async function pollEvents() {
    if (!desk.me)
      return;
    let got;
    try {
      got = await call('GET', API.events(desk.lastEvent));
    } catch (e) {
      if (e.status === 401)
        return refused(e);
      return; // the next tick tries again
    }
    const events = got.events || [];
    const first = desk.lastEvent === 0;
    desk.lastEvent = got.last || desk.lastEvent;
    if (!first)
      onEvents(events);
  }

  function startPolling() {
    if (desk.poll)
      return;
    const tick = async () => {
      await pollEvents();
      if (desk.me && desk.poll)
        desk.poll = setTimeout(tick, POLL_MS);
    };
    desk.poll = setTimeout(tick, 0);
  }

  function stopPolling() {
    clearTimeout(desk.poll);
    desk.poll = null;
  }

  // GET /api/v1/events/stream (server-sent events, the session cookie);
  // while it is down (refused, a proxy that buffers, the server
  // restarting) the page polls, and stops once the stream is back
  function startLive() {
    stopLive();
    desk.lastEvent = 0;
    startPolling();
    if (typeof EventSource === 'undefined')
      return;
    const es = new EventSource(API.stream);
    desk.stream = es;
    es.onopen = () => {
      desk.live = 'stream';
      stopPolling();
    };
    es.onmessage = (m) => {
      let e = null;
      try {
        e = JSON.parse(m.data);
      } catch (err) {
        return;
      }
      desk.lastEvent = Math.max(desk.lastEvent, e.id || 0);
      onEvents([e]);
    };
    es.onerror = () => {
      desk.live = 'polling';
      if (desk.me)
        startPolling();
    };
  }

  function stopLive() {
    if (desk.stream)
      desk.stream.close();
    desk.stream = null;
    desk.live = null;
    stopPolling();
  }

  // ---- start ----

  async function start() {
    byId('page-lang').addEventListener('change', async (ev) => {
      localStorage.setItem('attache.lang', ev.target.value);
      await loadWords(ev.target.value);
      if (desk.me)
        signedIn({ user: desk.me, csrf: desk.csrf });
      else
        showLogin();
    });
    byId('logout').addEventListener('click', logout);
    window.addEventListener('hashchange', route);
    dropHandlers();
    try {
      await loadWords(pageLang());
    } catch (e) {
      await loadWords('en');
    }
    try {
      signedIn(await call('GET', API.session));
    } catch (e) {
      showLogin();
    }
  }

  start();
})();
