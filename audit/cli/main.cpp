#include <iostream>

#include "audit/cli/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  return coderaudit::cli::Main(words, std::cout, std::cerr);
}
