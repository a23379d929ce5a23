// What both HTTPS servers offer: admin-api's API port and the redirector's
// TLS listener.
#pragma once

namespace shortlink {

// The cipher suites of the GoGoWorx API overview ("Secure Protocol"), in its
// order, for TLS 1.2. TLS 1.3 uses OpenSSL's defaults (all AEAD). The four
// ECDHE-ECDSA suites need an ECDSA certificate, the others an RSA one.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:"
    "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:AES128-GCM-SHA256:AES128-SHA256:"
    "AES256-GCM-SHA384:AES256-SHA256";

}  // namespace shortlink
