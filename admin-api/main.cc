#include "cli.h"

int main(int argc, char** argv) { return shortlink::admin::RunCli(argc, argv); }
