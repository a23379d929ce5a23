// Kept so that existing includes keep working: the one TempDir is tests/support/temp_dir.h.
#pragma once

#include "support/temp_dir.h"
