/* referral-bus ops dashboard: polls GET /v1/dashboard with the ops JWT kept in sessionStorage (never a cookie). */
(() => {
  'use strict';
  const TOKEN_KEY = 'referral-bus.ops-token';
  const params = new URLSearchParams(window.location.search);
  const intervalMs = Math.max(Number(params.get('interval')) || 5000, 500);
  let timer;
  const charts = {};

  // A token in the URL (?token=…) is moved to sessionStorage and removed from the address bar and history.
  if (params.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, params.get('token'));
    params.delete('token');
    const query = params.toString();
    history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
  }

  const $ = (id) => document.getElementById(id);
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function showLogin(message) {
    clearTimeout(timer);
    $('dashboard').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
  }

  function showDashboard() {
    $('login').hidden = true;
    $('dashboard').hidden = false;
    void poll();
    void loadIndicators();
  }

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    showDashboard();
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin();
  });
  $('county').addEventListener('change', () => void poll());

  const seconds = (v) =>
    v === null || v === undefined
      ? '–'
      : v < 1
        ? `${(v * 1000).toFixed(0)} ms`
        : v < 3600
          ? `${v.toFixed(1)} s`
          : `${(v / 3600).toFixed(1)} h`;

  function rows(tbody, items, cells) {
    const body = document.querySelector(`[data-testid="${tbody}"] tbody`);
    body.replaceChildren(
      ...items.map((item) => {
        const tr = document.createElement('tr');
        for (const [text, cls] of cells(item)) {
          const td = document.createElement('td');
          td.textContent = text;
          if (cls) td.className = cls;
          tr.appendChild(td);
        }
        return tr;
      }),
    );
  }

  function chart(id, type, options) {
    if (!charts[id]) {
      charts[id] = new Chart($(id), {
        type,
        data: { labels: [], datasets: [] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, ...options },
      });
    }
    return charts[id];
  }

  function setChart(id, type, labels, datasets, options = {}) {
    const c = chart(id, type, options);
    c.data.labels = labels;
    c.data.datasets = datasets;
    c.update('none');
  }

  function render(d) {
    const sum = (list, f) => list.reduce((a, x) => a + f(x), 0);
    document.querySelector('[data-testid="referrals-total"]').textContent = String(
      sum(d.referralsByState, (s) => s.count),
    );
    document.querySelector('[data-testid="stuck-total"]').textContent = String(d.stuck.total);
    document.querySelector('[data-testid="alerts-open"]').textContent = String(
      sum(d.alerts.open, (a) => a.count),
    );
    document.querySelector('[data-testid="breaches-total"]').textContent = String(
      sum(d.slaBreaches, (b) => b.count),
    );
    document.querySelector('[data-testid="dead-letters-total"]').textContent = String(
      sum(d.bus.deadLetters, (x) => x.count),
    );
    document.querySelector('[data-testid="lag-total"]').textContent = String(
      sum(d.bus.consumers, (c) => c.pending + c.ackPending),
    );

    const select = $('county');
    const chosen = select.value;
    const known = new Set([...select.options].map((o) => o.value));
    for (const county of d.counties) {
      if (!known.has(county)) select.add(new Option(county, county));
    }
    select.value = chosen;

    setChart(
      'latency-chart',
      'bar',
      d.latency.map((l) => l.stage),
      [
        { label: 'p50', data: d.latency.map((l) => l.p50) },
        { label: 'p90', data: d.latency.map((l) => l.p90) },
        { label: 'p99', data: d.latency.map((l) => l.p99) },
      ],
      { scales: { y: { type: 'logarithmic', title: { display: true, text: 'seconds' } } } },
    );
    setChart(
      'state-chart',
      'bar',
      d.referralsByState.map((s) => s.state),
      [{ label: 'referrals', data: d.referralsByState.map((s) => s.count) }],
      { indexAxis: 'y', plugins: { legend: { display: false } } },
    );
    setChart(
      'breach-chart',
      'bar',
      d.slaBreaches.map((b) => `${b.kind} · ${b.county}`),
      [{ label: 'breaches', data: d.slaBreaches.map((b) => b.count) }],
      { plugins: { legend: { display: false } } },
    );
    setChart(
      'bus-chart',
      'bar',
      d.bus.consumers.map((c) => c.consumer),
      [
        { label: 'undelivered', data: d.bus.consumers.map((c) => c.pending) },
        { label: 'ack pending', data: d.bus.consumers.map((c) => c.ackPending) },
      ],
      { indexAxis: 'y' },
    );

    rows('latency-table', d.latency, (l) => [
      [l.stage],
      [String(l.count)],
      [seconds(l.p50)],
      [seconds(l.p90)],
      [seconds(l.p99)],
    ]);
    rows('stuck-table', d.stuck.items, (s) => [
      [s.referralId],
      [s.state],
      [new Date(s.stateSince).toLocaleString()],
      [s.countyCode || '–'],
    ]);
    rows('alerts-table', d.alerts.recent, (a) => [
      [new Date(a.raisedAt).toLocaleString()],
      [a.code],
      [a.severity, `sev-${a.severity}`],
      [a.status],
      [a.summary],
    ]);
    const services = new Map();
    services.set(d.bus.outbox.service, {
      pending: d.bus.outbox.pending,
      oldest: d.bus.outbox.oldestAgeSeconds,
      dead: 0,
    });
    for (const x of d.bus.deadLetters)
      services.set(x.service, { pending: '–', oldest: '–', ...services.get(x.service), dead: x.count });
    rows('bus-table', [...services], ([service, s]) => [
      [service],
      [String(s.pending)],
      [typeof s.oldest === 'number' ? s.oldest.toFixed(1) : s.oldest],
      [String(s.dead)],
    ]);
    $('status').textContent = `updated ${new Date(d.generatedAt).toLocaleTimeString()}`;
  }

  async function poll() {
    clearTimeout(timer);
    const county = $('county').value;
    try {
      const response = await fetch(`/v1/dashboard${county ? `?county=${encodeURIComponent(county)}` : ''}`, {
        headers: { Authorization: `Bearer ${token()}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
      });
      if (response.status === 401 || response.status === 403) {
        sessionStorage.removeItem(TOKEN_KEY);
        const problem = await response.json().catch(() => ({}));
        return showLogin(problem.title || 'Not signed in');
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json());
    } catch (error) {
      $('status').textContent = `update failed: ${error.message}; retrying`;
    }
    timer = setTimeout(() => void poll(), intervalMs);
  }

  // Statutory indicators: loaded on sign-in and on demand (not every poll; they are computed from the facts).
  const percent = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`);
  const RATE = (code) =>
    !['REGISTERED', 'EMPLOYMENT_PLACEMENTS', 'DISCHARGE_TO_SERVICE_MEDIAN_DAYS'].includes(code);

  function currentQuarter() {
    // Beijing time is UTC+8 all year.
    const beijing = new Date(Date.now() + 8 * 3600_000);
    return `${beijing.getUTCFullYear()}-Q${Math.floor(beijing.getUTCMonth() / 3) + 1}`;
  }
  $('indicator-area').value = params.get('area') || '6109';
  $('indicator-period').value = params.get('period') || currentQuarter();

  function renderIndicators(v) {
    const byCode = (list) => Object.fromEntries(list.map((i) => [i.code, i]));
    rows('indicator-table', v.indicators, (i) => [
      [i.code],
      [i.name],
      [String(i.numerator)],
      [i.denominator === null ? '–' : String(i.denominator)],
      [RATE(i.code) ? percent(i.value) : i.value === null ? '–' : String(i.value)],
      [percent(i.target)],
      [
        i.gap === null ? '–' : `${(i.gap * 100).toFixed(1)}`,
        i.gap !== null && i.gap < 0 ? 'sev-warning' : '',
      ],
    ]);
    rows('indicator-county-table', v.byCounty, (c) => {
      const i = byCode(c.indicators);
      return [
        [`${c.countyCode} ${c.countyName}`],
        [String(i.REGISTERED.numerator)],
        [percent(i.STANDARD_SERVICE_RATE.value)],
        [percent(i.COMMUNITY_REHAB_RATE.value)],
        [percent(i.LOST_TO_FOLLOW_UP_RATE.value)],
        [percent(i.RELAPSE_RATE.value)],
      ];
    });
    const pct = (x) => (x === null || x === undefined ? null : x * 100);
    setChart(
      'indicator-trend-chart',
      'line',
      v.trend.map((t) => t.month),
      [
        { label: '规范服务率 %', data: v.trend.map((t) => pct(t.values.STANDARD_SERVICE_RATE)) },
        { label: '社区康复率 %', data: v.trend.map((t) => pct(t.values.COMMUNITY_REHAB_RATE)) },
      ],
      { scales: { y: { min: 0, max: 100 } } },
    );
    const targeted = v.indicators.filter((i) => i.target !== null);
    setChart(
      'indicator-gap-chart',
      'bar',
      targeted.map((i) => i.name),
      [{ label: 'gap (points)', data: targeted.map((i) => pct(i.gap)) }],
      { plugins: { legend: { display: false } } },
    );
    $('indicator-status').textContent = `${v.areaName} ${v.period}`;
  }

  async function loadIndicators() {
    const query = new URLSearchParams({
      area: $('indicator-area').value,
      period: $('indicator-period').value,
    });
    try {
      const response = await fetch(`/v1/indicators?${query}`, {
        headers: { Authorization: `Bearer ${token()}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail || body.title || `HTTP ${response.status}`);
      renderIndicators(body);
    } catch (error) {
      $('indicator-status').textContent = `indicators: ${error.message}`;
    }
  }
  $('indicator-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void loadIndicators();
  });

  if (token()) showDashboard();
  else showLogin();
})();
