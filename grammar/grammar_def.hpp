// The rule definitions of the Proviso grammar: expressions and conditions
// (expression_def.hpp) and declarations (declaration_def.hpp). Only
// grammar.cpp includes this file, so only it compiles the X3 templates.
#pragma once
#include "declaration_def.hpp"
#include "expression_def.hpp"
