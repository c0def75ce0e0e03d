#pragma once
// The forward pass behind the token lens's alternatives (core/run/token_alternatives.h).
#include "core/run/token_alternatives.h"

namespace aha {

// Loads the request's weights (CPU) and scores its prompt followed by the completion's
// tokens before `position`. Throws naming the file on a load failure, and on a position
// past the completion.
TokenAlternatives token_alternatives(const AlternativesRequest& request);

}  // namespace aha
