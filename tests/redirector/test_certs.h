// Certificates for the TLS tests, made with the openssl command (Debian's
// openssl package, which the build needs anyway): self-signed, for the
// given host names, RSA or ECDSA P-256, written as DIR/NAME.crt + NAME.key
// as the redirector's --tls-cert-dir wants them.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace shortlink::redirector::testing {

enum class KeyKind { kRsa, kEcdsa };

inline void WriteCert(const std::string& dir, const std::string& name,
                      const std::vector<std::string>& hosts, KeyKind kind = KeyKind::kEcdsa) {
  std::string san;
  for (const std::string& host : hosts) san += (san.empty() ? "DNS:" : ",DNS:") + host;
  std::string key_spec =
      kind == KeyKind::kRsa ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
  std::string command = "openssl req -x509 " + key_spec +
                        " -nodes -days 2 -subj '/CN=" + hosts.front() +
                        "' -addext 'subjectAltName=" + san + "' -keyout '" + dir + "/" + name +
                        ".key' -out '" + dir + "/" + name + ".crt' 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
}

}  // namespace shortlink::redirector::testing
