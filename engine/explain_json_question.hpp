// A next question of an explanation as JSON text: question_to_json(...).dump(),
// byte for byte (explain_json_question.cpp), for the explanation's JSON writer.
#pragma once
#include <string>

#include "questions.hpp"

namespace proviso {

// Appends the question's JSON; throws NotUtf8 (json_text.hpp) where dump() would refuse a string.
void append_question_json(const Policy& policy, const Question& question, std::string& out);

}  // namespace proviso
