// Korean search in the offline copy: no server, no network. The data comes from data.js
// (window.NAJU_SEARCH, written at export time). A query is read as the online search reads
// it, as far as is practical here: years, decades, ranges and named periods ("1970년대",
// "70년대", "1960~1975", "6·25 전쟁") narrow by date; a place of the gazetteer (or an alias)
// finds what lies in it; other words are found in titles, stories, places, people and tags,
// with their variants (국민학교 also finds 초등학교) and without the particles after them.
(function () {
  "use strict";
  var data = window.NAJU_SEARCH;
  var PAGE = 60;
  // Words after a date that say nothing more ("6·25 때", "1970년 무렵"), as online.
  var DATE_WORDS = ["쯤", "께", "무렵", "즈음", "경", "때", "당시", "시절", "전후", "직후", "정도"];
  var PARTICLES = ["에서는", "에서", "으로", "에게", "까지", "부터", "이랑", "하고", "의", "에",
    "을", "를", "이", "가", "은", "는", "와", "과", "로", "도", "만"];

  function squash(text) {
    return text.normalize("NFC").replace(/\s+/g, "").toLowerCase();
  }

  function periodKey(text) {
    return squash(text).replace(/[·ㆍ.•‧・]/g, "·");
  }

  function yearOf(two) {
    var n = parseInt(two, 10);
    return n < 30 ? 2000 + n : 1900 + n;
  }

  // Take the date expressions out of the query: [first year, last year] or null.
  function readDates(query) {
    var span = null;
    function take(first, last) {
      span = span ? [Math.max(span[0], first), Math.min(span[1], last)] : [first, last];
      return " ";
    }
    query = query.replace(/(\d{4})\s*[~\-–]\s*(\d{4})\s*년?(대)?/g, function (_m, a, b, decade) {
      return take(+a, decade ? +b + 9 : +b);
    });
    query = query.replace(/(\d{4})\s*년대(\s*(초|초반|중반|중|후반|말))?/g, function (_m, a, _x, part) {
      var start = +a;
      if (part === "초" || part === "초반") { return take(start, start + 3); }
      if (part === "중" || part === "중반") { return take(start + 3, start + 7); }
      if (part === "말" || part === "후반") { return take(start + 6, start + 9); }
      return take(start, start + 9);
    });
    query = query.replace(/(^|[^\d])(\d{2})\s*년대/g, function (_m, before, a) {
      return before + take(yearOf(a), yearOf(a) + 9);
    });
    query = query.replace(/(\d{4})\s*(년|s)?/g, function (_m, a, unit) {
      if (unit === "s") { return take(+a, +a + 9); }
      return take(+a, +a);
    });
    data.periods.forEach(function (period) {
      period[3].forEach(function (key) {
        var squashed = periodKey(query);
        var at = squashed.indexOf(key);
        if (key && at >= 0) {
          take(period[1], period[2]);
          query = removeSquashed(query, key);
        }
      });
    });
    return { span: span, rest: query };
  }

  // Remove the characters of a squashed key from text (ignoring spaces in the text).
  function removeSquashed(text, key) {
    var out = "";
    var i = 0;
    var squashed = periodKey(text);
    var at = squashed.indexOf(key);
    var count = 0;
    for (i = 0; i < text.length; i += 1) {
      if (/\s/.test(text[i])) { out += text[i]; continue; }
      if (count >= at && count < at + key.length) { count += 1; out += " "; continue; }
      count += 1;
      out += text[i];
    }
    return out;
  }

  function stripParticle(word) {
    if (data.places[word]) { return word; }
    for (var i = 0; i < PARTICLES.length; i += 1) {
      var p = PARTICLES[i];
      if (word.length > p.length + 1 && word.slice(-p.length) === p) {
        return word.slice(0, -p.length);
      }
    }
    return word;
  }

  function variantsOf(word) {
    var found = [word];
    data.variants.forEach(function (group) {
      if (group.indexOf(word) >= 0) {
        group.forEach(function (w) { if (found.indexOf(w) < 0) { found.push(w); } });
      }
    });
    return found;
  }

  // Read a query into a date span, places and words (each word with its variants).
  function understand(query) {
    var dates = readDates(query);
    var places = [];
    var words = [];
    var parts = dates.rest.split(/\s+/).filter(Boolean);
    for (var i = 0; i < parts.length; i += 1) {
      var two = i + 1 < parts.length ? squash(parts[i] + parts[i + 1]) : "";
      if (two && data.places[two]) { places.push(data.places[two]); i += 1; continue; }
      var word = stripParticle(squash(parts[i]));
      if (data.places[word]) { places.push(data.places[word]); continue; }
      if (dates.span && DATE_WORDS.indexOf(word) >= 0) { continue; }
      if (word) { words.push(variantsOf(word)); }
    }
    return { span: dates.span, places: places, words: words };
  }

  function matches(record, asked) {
    var text = record[7];
    if (asked.span) {
      if (record[4] === null || record[5] === null) { return false; }
      if (record[4] > asked.span[1] || record[5] < asked.span[0]) { return false; }
    }
    for (var p = 0; p < asked.places.length; p += 1) {
      var place = asked.places[p];
      if (record[6].indexOf(place) < 0 && text.indexOf(squash(place)) < 0) { return false; }
    }
    return asked.words.every(function (forms) {
      return forms.some(function (form) { return text.indexOf(form) >= 0; });
    });
  }

  function score(record, asked) {
    var title = squash(record[1]);
    var points = 0;
    asked.words.forEach(function (forms) {
      if (title.indexOf(forms[0]) >= 0) { points += 2; } else if (forms.some(function (f) { return title.indexOf(f) >= 0; })) { points += 1; }
    });
    return points;
  }

  function card(record) {
    var item = document.createElement("li");
    item.className = "card";
    var link = document.createElement("a");
    link.href = record[0];
    if (record[8]) {
      var image = document.createElement("img");
      image.src = record[8];
      image.alt = "";
      image.loading = "lazy";
      image.width = 320;
      image.height = 240;
      link.appendChild(image);
    } else {
      var none = document.createElement("span");
      none.className = "no-image";
      none.setAttribute("aria-hidden", "true");
      none.textContent = "사진 없음";
      link.appendChild(none);
    }
    var title = document.createElement("span");
    title.className = "title";
    title.textContent = record[1];
    link.appendChild(title);
    item.appendChild(link);
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = (record[2] || "시기 미상") + (record[3] ? " · " + record[3] : "");
    item.appendChild(meta);
    return item;
  }

  function describe(asked) {
    var parts = [];
    if (asked.span) { parts.push(asked.span[0] === asked.span[1] ? asked.span[0] + "년" : asked.span[0] + "~" + asked.span[1] + "년"); }
    asked.places.forEach(function (p) { parts.push(p); });
    asked.words.forEach(function (forms) { parts.push("‘" + forms.join(" 또는 ") + "’"); });
    return parts.join(", ");
  }

  function run() {
    var params = new URLSearchParams(window.location.search);
    var query = (params.get("q") || "").trim().slice(0, 200);
    var box = document.getElementById("q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("results");
    var more = document.getElementById("more");
    if (box) { box.value = query; }
    if (!query) { status.textContent = "찾을 말을 적어 주세요. 예: 영산포, 1970년대 장날, 국민학교 졸업"; return; }
    var asked = understand(query);
    var found = data.records.filter(function (r) { return matches(r, asked); });
    found.sort(function (a, b) { return score(b, asked) - score(a, asked) || (a[4] || 9999) - (b[4] || 9999); });
    status.textContent = "‘" + query + "’ 찾은 사진 " + found.length + "장" + (describe(asked) ? " (" + describe(asked) + ")" : "");
    var shown = 0;
    function show() {
      found.slice(shown, shown + PAGE).forEach(function (r) { list.appendChild(card(r)); });
      shown = Math.min(found.length, shown + PAGE);
      more.hidden = shown >= found.length;
    }
    more.addEventListener("click", show);
    show();
    if (!found.length) { status.textContent += ". 다른 말이나 시대로 찾아 보세요."; }
  }

  window.NAJU_UNDERSTAND = understand;  // for the tests
  document.addEventListener("DOMContentLoaded", run);
}());
