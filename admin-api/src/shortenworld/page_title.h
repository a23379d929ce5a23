// A page's title, for Shorten World's create (a link is titled after its
// destination unless noTitle): the text of the first <title> element.
//
// Pure; the fetching is title_fetch.h.
#pragma once

#include <string>
#include <string_view>

namespace shortlink::admin::shortenworld {

// The first <title>...</title> of `html` (tag names in any case), its
// character references decoded (&amp; &lt; &gt; &quot; &apos; &#39; &#NNN;
// &#xHH;), runs of white space made one space, trimmed, control characters
// dropped, and cut to `max_bytes` at a UTF-8 character boundary. "" when
// there is none, or when the text is not UTF-8 (a page in another charset
// is left untitled rather than titled with mojibake).
std::string ExtractTitle(std::string_view html, size_t max_bytes);

}  // namespace shortlink::admin::shortenworld
