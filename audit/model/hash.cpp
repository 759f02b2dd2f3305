#include "audit/model/hash.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fstream>
#include <vector>

#include "audit/model/error.hpp"

namespace coderaudit {

std::string Sha256Hex(std::string_view bytes) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

FileDigest Sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  std::vector<char> buf(1 << 16);
  FileDigest d;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = in.gcount();
    if (got <= 0) break;
    engine.update(buf.data(), static_cast<unsigned>(got));
    d.bytes += got;
  }
  if (in.bad()) throw InputError("error reading " + path);
  d.sha256 = Poco::DigestEngine::digestToHex(engine.digest());
  return d;
}

}  // namespace coderaudit
