#include "app.h"

int main(int argc, char** argv) { return shortlink::redirector::RunRedirector(argc, argv); }
