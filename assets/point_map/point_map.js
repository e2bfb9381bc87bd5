// The lab's WebGL point map (pages/_point_map.py packs its payload; the layout is documented there).
// Every point is drawn in one gl.POINTS call from typed arrays; labels, links, the hover ring and the
// selection outline go on a 2D canvas above it. A box or lasso selection goes back to Python as the
// payload's point positions, tagged with the payload's id so a stale selection is never applied.

const MAGIC = 0x50414d45; // "EMAP", little-endian
const HOVER_PX = 8;

const VERTEX = `
attribute vec2 a_pos;
attribute vec3 a_col;
uniform vec2 u_scale;
uniform vec2 u_offset;
uniform float u_size;
uniform float u_alpha;
uniform vec4 u_override;
varying vec4 v_col;
void main() {
  gl_Position = vec4(a_pos * u_scale + u_offset, 0.0, 1.0);
  gl_PointSize = u_size;
  v_col = vec4(mix(a_col, u_override.rgb, u_override.a), u_alpha);
}`;
const FRAGMENT = `
precision mediump float;
varying vec4 v_col;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = v_col;
}`;

function align4(n) { return (n + 3) & ~3; }

function parse(bytes) {
  const buffer = bytes.slice().buffer; // a copy at offset 0, so typed views are aligned
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) throw new Error("not a point-map payload");
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const n = header.n;
  let offset = align4(8 + headerLength);
  const take = (Type, count) => {
    const array = new Type(buffer, offset, count);
    offset = align4(offset + count * Type.BYTES_PER_ELEMENT);
    return array;
  };
  const x = take(Float32Array, n), y = take(Float32Array, n);
  const colour = take(Uint8Array, n), flags = take(Uint8Array, n);
  const rows = take(Uint32Array, n), ends = take(Uint32Array, n);
  const text = new Uint8Array(buffer, offset, n ? ends[n - 1] : 0);
  const decoder = new TextDecoder();
  const word = (i) => decoder.decode(text.subarray(i ? ends[i - 1] : 0, ends[i]));
  return { header, n, x, y, colour, flags, rows, word };
}

function rgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// The app theme's colours (Streamlit sets them as --st-* properties on the component): any CSS colour, read back
// as "#rrggbb" through a 2D context, with a light default.
function themeColour(element, name, fallback) {
  const context = document.createElement("canvas").getContext("2d");
  context.fillStyle = fallback;
  context.fillStyle = getComputedStyle(element).getPropertyValue(name).trim() || fallback;
  return context.fillStyle.startsWith("#") ? context.fillStyle : fallback;
}

// A uniform grid over the data's bounding box, points bucketed by cell (counting sort): hover looks at the
// few cells around the pointer instead of every point.
function buildGrid(points, box) {
  const side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(points.n / 4))));
  const cellOf = new Int32Array(points.n);
  const starts = new Int32Array(side * side + 1);
  const w = (box.x1 - box.x0) || 1, h = (box.y1 - box.y0) || 1;
  for (let i = 0; i < points.n; i++) {
    const cx = Math.min(side - 1, Math.floor(((points.x[i] - box.x0) / w) * side));
    const cy = Math.min(side - 1, Math.floor(((points.y[i] - box.y0) / h) * side));
    cellOf[i] = cy * side + cx;
    starts[cellOf[i] + 1]++;
  }
  for (let c = 0; c < side * side; c++) starts[c + 1] += starts[c];
  const fill = starts.slice(0, side * side);
  const order = new Int32Array(points.n);
  for (let i = 0; i < points.n; i++) order[fill[cellOf[i]]++] = i;
  return { side, starts, order, w, h };
}

function compile(gl) {
  const shader = (type, source) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    return s;
  };
  const program = gl.createProgram();
  gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
  const where = {};
  for (const name of ["u_scale", "u_offset", "u_size", "u_alpha", "u_override"]) where[name] = gl.getUniformLocation(program, name);
  return { program, where, pos: gl.getAttribLocation(program, "a_pos"), col: gl.getAttribLocation(program, "a_col") };
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".pm");
  const stage = root.querySelector(".pm-stage");
  const glCanvas = root.querySelector(".pm-gl");
  const overlay = root.querySelector(".pm-overlay");
  const tip = root.querySelector(".pm-tip");
  const status = root.querySelector(".pm-status");
  if (!(data instanceof Uint8Array) || data.length < 8) {
    status.textContent = "No points to draw.";
    return undefined;
  }
  const points = parse(data);
  const header = points.header;
  root.querySelector(".pm-title").textContent = header.title;
  root.querySelector(".pm-x").textContent = header.axis_titles[0];
  root.querySelector(".pm-y").textContent = header.axis_titles[1];
  stage.style.height = `${header.height}px`;
  const background = themeColour(root, "--st-background-color", "#ffffff");
  const ink = themeColour(root, "--st-text-color", "#1f2333");
  const [br, bg, bb] = rgb(background);
  const dark = 0.2126 * br + 0.7152 * bg + 0.0722 * bb < 128;
  const focusColour = dark ? ink : header.focus; // a word and its neighbours: black on light, the text colour on dark
  drawLegend(root.querySelector(".pm-legend"), header, focusColour);

  const gl = glCanvas.getContext("webgl", { antialias: false, preserveDrawingBuffer: true });
  if (!gl) {
    status.textContent = "This browser cannot draw WebGL, which the map needs.";
    return undefined;
  }
  const shaders = compile(gl);
  const palette = header.palette.map(rgb);

  // The data's bounding box, padded 4 %, is the home view.
  const box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
  for (let i = 0; i < points.n; i++) {
    if (points.x[i] < box.x0) box.x0 = points.x[i];
    if (points.x[i] > box.x1) box.x1 = points.x[i];
    if (points.y[i] < box.y0) box.y0 = points.y[i];
    if (points.y[i] > box.y1) box.y1 = points.y[i];
  }
  const pad = (a, b) => ((b - a) || 1) * 0.04;
  const home = { x0: box.x0 - pad(box.x0, box.x1), x1: box.x1 + pad(box.x0, box.x1),
                 y0: box.y0 - pad(box.y0, box.y1), y1: box.y1 + pad(box.y0, box.y1) };
  // A redraw of the same points (a new colouring, a search) keeps the user's view and selection.
  const kept = parentElement.__pointMap && parentElement.__pointMap.id === header.id ? parentElement.__pointMap : null;
  let view = kept ? { ...kept.view } : { ...home };
  const grid = buildGrid(points, box);

  // Layers: every point; then search matches, then a word and its neighbours, larger and on top.
  const layer = (indices, override) => {
    const count = indices ? indices.length : points.n;
    const pos = new Float32Array(count * 2), col = new Uint8Array(count * 3);
    for (let k = 0; k < count; k++) {
      const i = indices ? indices[k] : k;
      pos[2 * k] = points.x[i];
      pos[2 * k + 1] = points.y[i];
      const c = palette[points.colour[i]] || [128, 128, 128];
      col[3 * k] = c[0]; col[3 * k + 1] = c[1]; col[3 * k + 2] = c[2];
    }
    const posBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, posBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, pos, gl.STATIC_DRAW);
    const colBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, colBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, col, gl.STATIC_DRAW);
    return { count, posBuffer, colBuffer, override: override || [0, 0, 0, 0], indices };
  };
  const flagged = (bit) => {
    const out = [];
    for (let i = 0; i < points.n; i++) if (points.flags[i] & bit) out.push(i);
    return Int32Array.from(out);
  };
  const matches = flagged(1), focus = flagged(2), labelled = flagged(4);
  const base = layer(null);
  const matchLayer = matches.length ? layer(matches, [...rgb(header.highlight).map((v) => v / 255), 1]) : null;
  const focusLayer = focus.length ? layer(focus, [...rgb(focusColour).map((v) => v / 255), 1]) : null;
  const dimBase = matches.length > 0 || focus.length > 0;
  let selection = kept ? kept.selection : null; // Int32Array of point positions
  let selectionLayer = selection ? layer(selection) : null;
  const keep = () => { parentElement.__pointMap = { id: header.id, view: { ...view }, selection }; };
  const labels = Array.from(labelled, (i) => [i, points.word(i)]);

  const dpr = window.devicePixelRatio || 1;
  let width = 0, height = 0, frame = 0;

  function pixel(x, y) {
    return [((x - view.x0) / (view.x1 - view.x0)) * width, height - ((y - view.y0) / (view.y1 - view.y0)) * height];
  }
  function dataAt(px, py) {
    return [view.x0 + (px / width) * (view.x1 - view.x0), view.y0 + ((height - py) / height) * (view.y1 - view.y0)];
  }

  function drawLayer(l, size, alpha) {
    if (!l || !l.count) return;
    gl.uniform1f(shaders.where.u_size, size * dpr);
    gl.uniform1f(shaders.where.u_alpha, alpha);
    gl.uniform4fv(shaders.where.u_override, l.override);
    gl.bindBuffer(gl.ARRAY_BUFFER, l.posBuffer);
    gl.enableVertexAttribArray(shaders.pos);
    gl.vertexAttribPointer(shaders.pos, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, l.colBuffer);
    gl.enableVertexAttribArray(shaders.col);
    gl.vertexAttribPointer(shaders.col, 3, gl.UNSIGNED_BYTE, true, 0, 0);
    gl.drawArrays(gl.POINTS, 0, l.count);
  }

  function render() {
    frame = 0;
    gl.viewport(0, 0, glCanvas.width, glCanvas.height);
    gl.clearColor(br / 255, bg / 255, bb / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.useProgram(shaders.program);
    const sx = 2 / (view.x1 - view.x0), sy = 2 / (view.y1 - view.y0);
    gl.uniform2f(shaders.where.u_scale, sx, sy);
    gl.uniform2f(shaders.where.u_offset, -1 - view.x0 * sx, -1 - view.y0 * sy);
    const size = header.point_size;
    drawLayer(base, size, selection || dimBase ? 0.35 : 0.7);
    drawLayer(selectionLayer, size + 1, 0.95);
    drawLayer(matchLayer, size * 2.2, 1.0);
    drawLayer(focusLayer, size * 2.6, 1.0);
    drawOverlay();
    root.dataset.drawn = String(points.n);
    root.dataset.selected = String(selection ? selection.length : 0);
    keep();
  }
  const schedule = () => { if (!frame) frame = requestAnimationFrame(render); };

  let hovered = -1;
  let drag = null; // {mode, start:[px,py], path:[[px,py]...], view}
  function drawOverlay() {
    const ctx = overlay.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    for (const link of header.links) {
      const [a, b] = [pixel(link[0], link[1]), pixel(link[2], link[3])];
      ctx.strokeStyle = link[4] ? "#5B2A86" : "#2A9D8F";
      ctx.lineWidth = 2;
      ctx.setLineDash(link[4] ? [6, 4] : []);
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.fillStyle = ink;
    for (const [i, word] of labels) {
      const [px, py] = pixel(points.x[i], points.y[i]);
      if (px >= 0 && px <= width && py >= 0 && py <= height) ctx.fillText(word, px, py - 6);
    }
    ctx.font = "bold 12px sans-serif";
    for (const [name, gx, gy] of header.group_labels) {
      const [px, py] = pixel(gx, gy);
      const w = ctx.measureText(name).width + 8;
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = background;
      ctx.fillRect(px - w / 2, py - 10, w, 18);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#9AA0B4"; ctx.lineWidth = 1;
      ctx.strokeRect(px - w / 2, py - 10, w, 18);
      ctx.fillStyle = ink;
      ctx.fillText(name, px, py + 3);
    }
    if (hovered >= 0) {
      const [px, py] = pixel(points.x[hovered], points.y[hovered]);
      ctx.strokeStyle = ink; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.stroke();
    }
    if (drag && drag.mode !== "pan") {
      ctx.strokeStyle = "#4C5FD5"; ctx.lineWidth = 1; ctx.setLineDash([4, 3]);
      ctx.fillStyle = "rgba(76,95,213,0.08)";
      ctx.beginPath();
      if (drag.mode === "box") {
        const [x0, y0] = drag.start, [x1, y1] = drag.path[drag.path.length - 1];
        ctx.rect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
      } else {
        drag.path.forEach(([px, py], k) => (k ? ctx.lineTo(px, py) : ctx.moveTo(px, py)));
        ctx.closePath();
      }
      ctx.fill(); ctx.stroke(); ctx.setLineDash([]);
    }
  }

  function resize() {
    const rect = stage.getBoundingClientRect();
    width = Math.max(1, rect.width); height = Math.max(1, rect.height);
    for (const canvas of [glCanvas, overlay]) {
      canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
    }
    render();
  }

  function nearest(px, py) {
    const [dx, dy] = dataAt(px, py);
    const rx = (HOVER_PX / width) * (view.x1 - view.x0), ry = (HOVER_PX / height) * (view.y1 - view.y0);
    const cell = (v, lo, span) => Math.max(0, Math.min(grid.side - 1, Math.floor(((v - lo) / span) * grid.side)));
    const cx0 = cell(dx - rx, box.x0, grid.w), cx1 = cell(dx + rx, box.x0, grid.w);
    const cy0 = cell(dy - ry, box.y0, grid.h), cy1 = cell(dy + ry, box.y0, grid.h);
    let best = -1, bestDistance = HOVER_PX * HOVER_PX;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * grid.side + cx;
        for (let k = grid.starts[c]; k < grid.starts[c + 1]; k++) {
          const i = grid.order[k];
          const [qx, qy] = pixel(points.x[i], points.y[i]);
          const d = (qx - px) ** 2 + (qy - py) ** 2;
          if (d <= bestDistance) { best = i; bestDistance = d; }
        }
      }
    }
    return best;
  }

  function select(mode, path) {
    const corners = path.map(([px, py]) => dataAt(px, py));
    const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const inside = (x, y) => { // ray casting, for the lasso
      let hit = false;
      for (let a = 0, b = corners.length - 1; a < corners.length; b = a++) {
        const [ax, ay] = corners[a], [bx, by] = corners[b];
        if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) hit = !hit;
      }
      return hit;
    };
    const chosen = [];
    for (let i = 0; i < points.n; i++) {
      const x = points.x[i], y = points.y[i];
      if (x < x0 || x > x1 || y < y0 || y > y1) continue;
      if (mode === "box" || inside(x, y)) chosen.push(i);
    }
    setSelection(Int32Array.from(chosen));
  }

  function showStatus() {
    status.textContent = selection ? `${selection.length.toLocaleString()} selected · double-click the map to clear` : header.status;
  }

  function setSelection(chosen) {
    selection = chosen && chosen.length ? chosen : null;
    selectionLayer = selection ? layer(selection) : null;
    showStatus();
    setStateValue("selection", { figure: header.id, points: selection ? Array.from(selection) : [] });
    schedule();
  }

  let mode = header.mode;
  const buttons = root.querySelectorAll("button[data-mode]");
  const showMode = () => {
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.mode === mode)));
    overlay.style.cursor = mode === "pan" ? "grab" : "crosshair";
  };
  buttons.forEach((b) => (b.onclick = () => { mode = b.dataset.mode; showMode(); }));
  showMode();
  root.querySelector("button[data-act=reset]").onclick = () => { view = { ...home }; schedule(); };
  root.querySelector("button[data-act=png]").onclick = () => {
    render();
    const picture = document.createElement("canvas"); // the points with their labels, links and outlines
    picture.width = glCanvas.width; picture.height = glCanvas.height;
    const ctx = picture.getContext("2d");
    ctx.drawImage(glCanvas, 0, 0);
    ctx.drawImage(overlay, 0, 0);
    const link = document.createElement("a");
    link.download = `${header.file_stem}.png`;
    link.href = picture.toDataURL("image/png");
    link.click();
  };

  const local = (event) => {
    const rect = overlay.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  };
  const onDown = (event) => {
    if (event.button !== 0) return;
    const at = local(event);
    drag = { mode: event.shiftKey ? "pan" : mode, start: at, path: [at], view: { ...view } };
    overlay.setPointerCapture(event.pointerId);
  };
  const onMove = (event) => {
    const at = local(event);
    if (drag) {
      drag.path.push(at);
      if (drag.mode === "pan") {
        const ddx = ((at[0] - drag.start[0]) / width) * (drag.view.x1 - drag.view.x0);
        const ddy = ((at[1] - drag.start[1]) / height) * (drag.view.y1 - drag.view.y0);
        view = { x0: drag.view.x0 - ddx, x1: drag.view.x1 - ddx, y0: drag.view.y0 + ddy, y1: drag.view.y1 + ddy };
      }
      schedule();
      return;
    }
    const found = nearest(at[0], at[1]);
    if (found !== hovered) {
      hovered = found;
      if (found >= 0) {
        tip.textContent = "";
        const strong = document.createElement("b");
        strong.textContent = points.word(found);
        tip.append(strong, ` · row ${(points.rows[found] + 1).toLocaleString()}`);
        tip.style.display = "block";
      } else {
        tip.style.display = "none";
      }
      schedule();
    }
    if (found >= 0) {
      tip.style.left = `${Math.min(at[0] + 12, width - tip.offsetWidth - 4)}px`;
      tip.style.top = `${Math.max(at[1] - 28, 2)}px`;
    }
  };
  const onUp = (event) => {
    if (!drag) return;
    const done = drag;
    drag = null;
    const moved = done.path.length > 2 && Math.hypot(done.path.at(-1)[0] - done.start[0], done.path.at(-1)[1] - done.start[1]) > 4;
    if (moved && done.mode !== "pan") select(done.mode, done.mode === "box"
      ? [done.start, [done.start[0], local(event)[1]], local(event), [local(event)[0], done.start[1]]]
      : done.path);
    schedule();
  };
  const onWheel = (event) => {
    event.preventDefault();
    const [px, py] = local(event);
    const [cx, cy] = dataAt(px, py);
    const factor = Math.exp(event.deltaY * 0.0015);
    view = { x0: cx - (cx - view.x0) * factor, x1: cx + (view.x1 - cx) * factor,
             y0: cy - (cy - view.y0) * factor, y1: cy + (view.y1 - cy) * factor };
    schedule();
  };
  const onLeave = () => { hovered = -1; tip.style.display = "none"; schedule(); };
  const onDouble = () => { if (selection) setSelection(null); else { view = { ...home }; schedule(); } };
  overlay.addEventListener("pointerdown", onDown);
  overlay.addEventListener("pointermove", onMove);
  overlay.addEventListener("pointerup", onUp);
  overlay.addEventListener("pointerleave", onLeave);
  overlay.addEventListener("wheel", onWheel, { passive: false });
  overlay.addEventListener("dblclick", onDouble);
  const observer = new ResizeObserver(resize);
  observer.observe(stage);
  showStatus();
  resize();

  return () => {
    observer.disconnect();
    overlay.removeEventListener("pointerdown", onDown);
    overlay.removeEventListener("pointermove", onMove);
    overlay.removeEventListener("pointerup", onUp);
    overlay.removeEventListener("pointerleave", onLeave);
    overlay.removeEventListener("wheel", onWheel);
    overlay.removeEventListener("dblclick", onDouble);
    if (frame) cancelAnimationFrame(frame);
    for (const l of [base, matchLayer, focusLayer, selectionLayer]) {
      if (l) { gl.deleteBuffer(l.posBuffer); gl.deleteBuffer(l.colBuffer); }
    }
  };
}

function drawLegend(element, header, focusColour) {
  const item = (name, colour) => {
    const entry = document.createElement("span");
    entry.className = "pm-legend-item";
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    entry.append(swatch, name);
    return entry;
  };
  element.textContent = "";
  const legend = header.legend;
  const title = document.createElement("span");
  title.className = "pm-legend-title";
  title.textContent = legend.title;
  element.append(title);
  if (legend.kind === "categories") {
    element.append(...legend.items.map(([name, colour]) => item(name, colour)));
  } else {
    const bar = document.createElement("span");
    bar.className = "pm-scale";
    bar.style.background = `linear-gradient(to right, ${header.palette.slice(0, legend.steps).join(", ")})`;
    const low = document.createElement("span"), high = document.createElement("span");
    low.textContent = legend.low; high.textContent = legend.high;
    element.append(low, bar, high);
  }
  element.append(...legend.marks.map(([name, colour]) => item(name, colour === header.focus ? focusColour : colour)));
}
