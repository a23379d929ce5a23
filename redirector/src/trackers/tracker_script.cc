#include "trackers/tracker_script.h"

#include "trackers/bounded_writer.h"
#include "trackers/tracker_page.h"

namespace shortlink::redirector {
namespace {

// Each provider's documented base tag, reduced to what a page view needs.
// The ids come from the page's data-trackers, which the edge rendered from
// ids of [A-Za-z0-9-] only, so they go into URLs as they are. The page goes
// on to the target a moment after the tags were started (sendBeacon and
// image requests outlive the page); without consent asked, the page's meta
// refresh may already have done so.
constexpr std::string_view kScript = R"JS((function () {
  'use strict';
  var w = window, d = document;
  var box = d.getElementById('sl-trackers'), go = d.getElementById('sl-go');
  if (!box || !go) return;
  function script(src) {
    var s = d.createElement('script');
    s.async = true;
    s.src = src;
    d.head.appendChild(s);
  }
  function pixel(src) {
    var i = new Image(1, 1);
    i.src = src;
  }
  function gtag(id) {
    w.dataLayer = w.dataLayer || [];
    if (!w.gtag) {
      w.gtag = function () { w.dataLayer.push(arguments); };
      w.gtag('js', new Date());
    }
    script('https://www.googletagmanager.com/gtag/js?id=' + id);
    w.gtag('config', id);
  }
  var load = {
    'facebook': function (id) {
      if (!w.fbq) {
        var f = w.fbq = function () {
          if (f.callMethod) f.callMethod.apply(f, arguments); else f.queue.push(arguments);
        };
        w._fbq = f; f.push = f; f.loaded = true; f.version = '2.0'; f.queue = [];
        script('https://connect.facebook.net/en_US/fbevents.js');
      }
      w.fbq('init', id);
      w.fbq('track', 'PageView');
    },
    'google-analytics': gtag,
    'adwords': gtag,
    'gtm': function (id) {
      w.dataLayer = w.dataLayer || [];
      w.dataLayer.push({'gtm.start': Date.now(), event: 'gtm.js'});
      script('https://www.googletagmanager.com/gtm.js?id=' + id);
    },
    'linkedin': function (id) { pixel('https://px.ads.linkedin.com/collect/?pid=' + id + '&fmt=gif'); },
    'twitter': function (id) { pixel('https://analytics.twitter.com/i/adsct?txn_id=' + id + '&p_id=Twitter'); },
    'pinterest': function (id) { pixel('https://ct.pinterest.com/v3/?event=init&tid=' + id + '&noscript=1'); },
    'quora': function (id) { pixel('https://q.quora.com/_/ad/' + id + '/pixel?tag=ViewContent&noscript=1'); },
    'segment': function (id) {
      var a = w.analytics = w.analytics || [];
      a._writeKey = id;
      a.push(['page']);
      script('https://cdn.segment.com/analytics.js/v1/' + id + '/analytics.min.js');
    }
  };
  function start() {
    (box.getAttribute('data-trackers') || '').split(' ').forEach(function (t) {
      var at = t.indexOf(':');
      var f = at > 0 && load[t.slice(0, at)];
      if (f && /^[A-Za-z0-9-]+$/.test(t.slice(at + 1))) f(t.slice(at + 1));
    });
    setTimeout(function () { w.location.replace(go.href); }, 800);
  }
  if (box.getAttribute('data-consent') === 'ask') {
    var allow = d.getElementById('sl-allow');
    if (!allow) return;
    allow.hidden = false;
    allow.addEventListener('click', function () {
      allow.disabled = true;
      start();
    });
  } else {
    start();
  }
})();
)JS";

}  // namespace

std::string_view TrackerScript() { return kScript; }

bool IsTrackerScriptQuery(std::string_view query) { return query == kTrackerScriptQuery; }

size_t WriteTrackerScriptResponse(std::string_view date, std::string_view connection,
                                  bool head_only, char* out) {
  static_assert(kScript.size() + 512 <= kMaxTrackerScriptResponseBytes);
  BoundedWriter w{out, out + kMaxTrackerScriptResponseBytes};
  w.Put(
      "HTTP/1.1 200 OK\r\n"
      "Cache-Control: public, max-age=86400\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "Content-Type: text/javascript; charset=utf-8\r\n"
      "Date: ");
  if (date.size() > 64 || connection.size() > 64) return 0;
  w.Put(date);
  w.Put("\r\nContent-Length: ");
  w.PutNumber(kScript.size());
  w.Put("\r\n");
  w.Put(connection);
  w.Put("\r\n");
  if (!head_only) w.Put(kScript);
  return w.ok ? static_cast<size_t>(w.p - out) : 0;
}

}  // namespace shortlink::redirector
