// admin-api's command line: `serve`, `bootstrap` and `import`
// (docs/design.md, "Operator interface"). main() only calls RunCli.
#pragma once

namespace shortlink::admin {

int RunCli(int argc, char** argv);

}  // namespace shortlink::admin
