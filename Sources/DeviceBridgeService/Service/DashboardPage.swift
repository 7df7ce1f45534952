/// The dashboard served at `/`: one static page, no external resources.
///
/// It lists every device and export, plots each virtual device's channels live from the
/// `/control/stream` event stream (inline SVG), and has buttons that inject events and
/// control the clock through the control API. A token can be given as `/#token=…`.
///
/// For tests, the page keeps its state in the DOM: each device card has `data-samples`
/// (samples received), `data-time` (virtual seconds) and `data-events` (events applied).
public enum DashboardPage {
    /// The page.
    public static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>devbridge</title>
        <style>
          :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#6b7280; --line:#e3e6ea; --accent:#c2410c; }
          * { box-sizing: border-box; }
          body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--ink); }
          header { padding:12px 20px; background:#1d2330; color:#fff; display:flex; gap:16px; align-items:baseline; }
          header h1 { font-size:18px; margin:0; }
          header span { color:#cbd5e1; font-size:12px; }
          main { padding:16px 20px; display:grid; gap:16px; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); }
          .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
          .card h2 { font-size:16px; margin:0 0 4px; display:flex; gap:8px; align-items:center; }
          .status { font-size:11px; padding:1px 6px; border-radius:8px; background:#e5e7eb; }
          .status.running { background:#dcfce7; color:#166534; } .status.failed { background:#fee2e2; color:#991b1b; }
          .meta { color:var(--muted); font-size:12px; margin-bottom:6px; word-break:break-all; }
          svg.chart { width:100%; height:180px; background:#fbfbfc; border:1px solid var(--line); border-radius:4px; }
          .values { display:flex; flex-wrap:wrap; gap:10px; margin:6px 0; font-variant-numeric: tabular-nums; }
          .values b { font-weight:600; }
          .row { display:flex; flex-wrap:wrap; gap:6px; margin-top:6px; }
          button { font:inherit; font-size:12px; padding:4px 8px; border:1px solid #cbd5e1; background:#fff; border-radius:4px; cursor:pointer; }
          button:hover { border-color:var(--accent); }
          button.event { border-color:#fdba74; background:#fff7ed; }
          .log { font-size:12px; color:var(--muted); max-height:90px; overflow:auto; margin-top:6px; }
          table { border-collapse:collapse; width:100%; font-size:12px; }
          td, th { text-align:left; padding:3px 6px; border-bottom:1px solid var(--line); }
          #message { color:#991b1b; font-size:12px; }
        </style>
        </head>
        <body data-ready="false">
        <header><h1>devbridge</h1><span id="summary">loading…</span><span id="message"></span></header>
        <main id="devices"></main>
        <section class="card" style="margin:0 20px 20px"><h2>Exports</h2>
          <table><thead><tr><th>name</th><th>mode</th><th>address</th><th>status</th><th>clients</th><th>bytes in/out</th></tr></thead>
          <tbody id="exports"></tbody></table></section>
        <script>
        "use strict";
        const token = new URLSearchParams(location.hash.slice(1)).get("token");
        const headers = token ? {"Authorization": "Bearer " + token} : {};
        const colors = ["#c2410c", "#2563eb", "#16a34a", "#9333ea", "#0891b2", "#ca8a04"];
        const defaults = {
          lid_open: "lid_open duration=90s", wrap: "wrap meat1", setpoint: "setpoint 275F", fuel_out: "fuel_out",
          add_fuel: "add_fuel 2kg", probe_disconnect: "probe_disconnect meat1 duration=2m", probe_reconnect: "probe_reconnect meat1",
          meal: "meal 60g", bolus: "bolus 2U", spike: "spike", exercise: "exercise 30m"
        };
        const cards = new Map();
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
          }
          for (const child of children) node.append(child);
          return node;
        }
        function fmtTime(s) {
          if (s == null) return "–";
          const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = Math.floor(s % 60);
          return h + "h" + String(m).padStart(2, "0") + "m" + String(sec).padStart(2, "0") + "s";
        }
        async function call(path, body) {
          const response = await fetch(path, {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, headers),
                                               body: body ? JSON.stringify(body) : undefined});
          const data = await response.json();
          document.getElementById("message").textContent = response.ok ? "" : (data.error && data.error.message) || response.status;
          if (response.ok && data.name) update(data);
          return data;
        }
        function card(device) {
          if (cards.has(device.name)) return cards.get(device.name);
          const base = "/control/devices/" + encodeURIComponent(device.name);
          const c = { series: new Map(), units: new Map(), node: null, samples: 0 };
          const events = el("div", {class: "row"});
          for (const type of device.eventTypes) {
            if (!defaults[type]) continue;
            events.append(el("button", {class: "event", "data-event": type, title: defaults[type],
              onclick: () => call(base + "/events", {command: defaults[type]})}, type));
          }
          const clock = el("div", {class: "row"},
            el("button", {"data-action": "pause", onclick: () => call(base + "/clock/pause")}, "pause"),
            el("button", {"data-action": "resume", onclick: () => call(base + "/clock/resume")}, "resume"),
            el("button", {onclick: () => call(base + "/clock/speed", {speed: 1})}, "1×"),
            el("button", {onclick: () => call(base + "/clock/speed", {speed: 60})}, "60×"),
            el("button", {onclick: () => call(base + "/clock/speed", {speed: 600})}, "600×"),
            el("button", {"data-action": "advance", onclick: () => call(base + "/clock/advance", {duration: "1h"})}, "+1h"),
            el("button", {onclick: () => call(base + "/start")}, "start"),
            el("button", {onclick: () => call(base + "/stop")}, "stop"));
          c.node = el("section", {class: "card", "data-device": device.name, "data-samples": "0", "data-events": "0"},
            el("h2", {}, device.name, el("span", {class: "status"}, device.status)),
            el("div", {class: "meta"}), el("div", {class: "values"}),
            document.createElementNS("http://www.w3.org/2000/svg", "svg"), clock, events, el("div", {class: "log"}));
          const svg = c.node.querySelector("svg");
          svg.setAttribute("class", "chart"); svg.setAttribute("viewBox", "0 0 600 180"); svg.setAttribute("preserveAspectRatio", "none");
          document.getElementById("devices").append(c.node);
          cards.set(device.name, c);
          return c;
        }
        function update(device) {
          const c = card(device);
          const status = c.node.querySelector(".status");
          status.textContent = device.status; status.className = "status " + device.status;
          const clock = device.clock ? (device.clock.paused ? "paused" : (device.clock.speed + "×")) : "";
          c.node.querySelector(".meta").textContent = [device.protocol, device.profile, device.isolation,
            "t=" + fmtTime(device.time), clock, device.link || device.pty || "", device.error || ""].filter(Boolean).join(" · ");
          c.node.dataset.time = device.time == null ? "" : String(device.time);
          c.node.dataset.events = String(device.events.length);
          c.node.dataset.status = device.status;
          c.node.querySelector(".values").replaceChildren(...device.channels.map((ch, i) =>
            el("span", {style: "color:" + colors[i % colors.length]}, ch.name + " ",
              el("b", {}, ch.value == null ? ch.state : ch.value.toFixed(1)), " " + ch.unit)));
          c.node.querySelector(".log").replaceChildren(...device.events.slice().reverse().map(e =>
            el("div", {}, fmtTime(e.time) + " " + e.label + (e.error ? " (refused: " + e.error + ")" : ""))));
        }
        function sample(device) {
          update(device);
          const c = card(device);
          if (device.time == null) return;
          c.samples += 1; c.node.dataset.samples = String(c.samples);
          device.channels.forEach(ch => {
            if (!c.series.has(ch.name)) { c.series.set(ch.name, []); c.units.set(ch.name, ch.unit); }
            const points = c.series.get(ch.name);
            if (points.length && device.time < points[points.length - 1][0]) points.length = 0;
            points.push([device.time, ch.value]);
            if (points.length > 600) points.shift();
          });
          draw(c);
        }
        function draw(c) {
          // One vertical scale per unit: the first unit on the left axis, the others on the right.
          const svg = c.node.querySelector("svg");
          let t0 = Infinity, t1 = -Infinity;
          const ranges = new Map();
          for (const [name, points] of c.series) {
            const unit = c.units.get(name);
            const range = ranges.get(unit) || [Infinity, -Infinity];
            for (const [t, v] of points) {
              t0 = Math.min(t0, t); t1 = Math.max(t1, t);
              if (v != null) { range[0] = Math.min(range[0], v); range[1] = Math.max(range[1], v); }
            }
            ranges.set(unit, range);
          }
          if (!isFinite(t0)) return;
          if (t1 - t0 < 1) t1 = t0 + 1;
          for (const range of ranges.values()) if (range[1] - range[0] < 1) { range[1] += 0.5; range[0] -= 0.5; }
          const x = t => 5 + (t - t0) / (t1 - t0) * 590;
          const parts = [];
          let i = 0;
          for (const [name, points] of c.series) {
            const [v0, v1] = ranges.get(c.units.get(name));
            const y = v => 170 - (v - v0) / (v1 - v0) * 160;
            let d = "", pen = false;
            for (const [t, v] of points) {
              if (v == null || !isFinite(v0)) { pen = false; continue; }
              d += (pen ? "L" : "M") + x(t).toFixed(1) + " " + y(v).toFixed(1) + " "; pen = true;
            }
            parts.push('<path data-channel="' + name + '" d="' + d + '" fill="none" stroke="' + colors[i++ % colors.length] + '" stroke-width="1.5"/>');
          }
          [...ranges.entries()].filter(([, r]) => isFinite(r[0])).slice(0, 2).forEach(([unit, [v0, v1]], k) => {
            const at = k === 0 ? 'x="6" text-anchor="start"' : 'x="594" text-anchor="end"';
            parts.push('<text ' + at + ' y="12" font-size="10" fill="#6b7280">' + v1.toFixed(0) + " " + unit + '</text>');
            parts.push('<text ' + at + ' y="176" font-size="10" fill="#6b7280">' + v0.toFixed(0) + " " + unit + '</text>');
          });
          svg.innerHTML = parts.join("");
        }
        async function refresh() {
          const response = await fetch("/control/devices", {headers});
          if (!response.ok) { document.getElementById("summary").textContent = "control API: HTTP " + response.status; return; }
          const data = await response.json();
          data.devices.forEach(update);
          // The bound port while running (it differs from a configured :0), else the address as configured.
          const boundAddress = e => e.port ? e.listen.replace(/:[0-9]+$/, ":" + e.port) : e.listen;
          document.getElementById("summary").textContent = data.devices.length + " devices, " + data.exports.length + " exports";
          const rows = data.exports.length ? [] : [el("tr", {}, el("td", {colspan: "6"}, "no exports configured"))];
          document.getElementById("exports").replaceChildren(...rows, ...data.exports.map(e => el("tr", {},
            el("td", {}, e.name), el("td", {}, e.mode), el("td", {"data-listen": e.name}, boundAddress(e)), el("td", {}, e.status + (e.error ? ": " + e.error : "")),
            el("td", {}, String(e.counters.clients)), el("td", {}, e.counters.bytesIn + " / " + e.counters.bytesOut))));
          document.body.dataset.ready = "true";
        }
        refresh().then(() => {
          const stream = new EventSource("/control/stream?interval=500" + (token ? "&access_token=" + encodeURIComponent(token) : ""));
          stream.addEventListener("sample", e => sample(JSON.parse(e.data)));
          setInterval(refresh, 5000);
        });
        </script>
        </body>
        </html>
        """#
}
