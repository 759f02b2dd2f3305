file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT}
"// Generated from ${IN}; do not edit.\n#include <string_view>\n"
"namespace coderaudit::embedded {\n"
"static const unsigned char k_${NAME}[] = {${bytes} 0};\n"
"std::string_view ${NAME}() { return {reinterpret_cast<const char*>(k_${NAME}), ${size}}; }\n"
"}\n")
