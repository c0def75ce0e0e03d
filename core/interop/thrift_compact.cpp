#include "core/interop/thrift_compact.h"

#include <cstring>
#include <stdexcept>

namespace aha::thrift {

namespace {

enum Type : uint8_t {
  Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10,
  Map = 11, StructType = 12
};

constexpr int kMaxDepth = 64;  // Parquet nests a few levels; deeper is a broken file

class Reader {
 public:
  Reader(std::string_view data, size_t pos) : data_(data), pos_(pos) {}
  size_t pos() const { return pos_; }

  uint8_t byte() {
    if (pos_ >= data_.size()) throw std::runtime_error("thrift: the data ends inside a struct");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint64_t varint() { return read_varint(data_, pos_); }
  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  std::string bytes(uint64_t n) {
    if (n > data_.size() - pos_) throw std::runtime_error("thrift: a string runs past the end of the data");
    std::string out(data_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  Value value(uint8_t type, int depth) {
    if (depth > kMaxDepth) throw std::runtime_error("thrift: structs nested too deep");
    Value v;
    switch (type) {
      case True: case False:
        v.kind = Value::Kind::Bool;
        v.i = type == True;
        return v;
      case Byte:
        v.i = static_cast<int8_t>(byte());
        return v;
      case I16: case I32: case I64:
        v.i = zigzag();
        return v;
      case Double: {
        const std::string raw = bytes(8);
        v.kind = Value::Kind::Double;
        std::memcpy(&v.d, raw.data(), 8);
        return v;
      }
      case Binary:
        v.kind = Value::Kind::Binary;
        v.bytes = bytes(varint());
        return v;
      case List: case Set: {
        const uint8_t header = byte();
        uint64_t size = header >> 4;
        if (size == 15) size = varint();
        const uint8_t element = header & 0x0F;
        if (size > data_.size() - pos_) throw std::runtime_error("thrift: a list longer than the data");
        v.kind = Value::Kind::List;
        for (uint64_t k = 0; k < size; ++k) {
          if (element == True || element == False) {  // a bool in a list is one byte
            Value b;
            b.kind = Value::Kind::Bool;
            b.i = byte() == 1;
            v.list.push_back(std::move(b));
          } else {
            v.list.push_back(value(element, depth + 1));
          }
        }
        return v;
      }
      case Map: {  // read and dropped: Parquet's structs hold none we use
        const uint64_t size = varint();
        if (size == 0) return v;
        const uint8_t types = byte();
        for (uint64_t k = 0; k < size; ++k) {
          value(types >> 4, depth + 1);
          value(types & 0x0F, depth + 1);
        }
        return v;
      }
      case StructType:
        v.kind = Value::Kind::Struct;
        v.fields = std::make_shared<Struct>(fields(depth + 1));
        return v;
      default:
        throw std::runtime_error("thrift: unknown field type " + std::to_string(type));
    }
  }

  Struct fields(int depth) {
    Struct s;
    int16_t last = 0;
    while (true) {
      const uint8_t header = byte();
      if (header == Stop) return s;
      const uint8_t type = header & 0x0F, delta = header >> 4;
      const int16_t id = delta ? static_cast<int16_t>(last + delta) : static_cast<int16_t>(zigzag());
      s[id] = value(type, depth);
      last = id;
    }
  }

 private:
  std::string_view data_;
  size_t pos_;
};

[[noreturn]] void wrong_kind(int16_t id, const char* want) {
  throw std::runtime_error("thrift: field " + std::to_string(id) + " is not " + want);
}

}  // namespace

uint64_t read_varint(std::string_view data, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) throw std::runtime_error("a varint runs past the end of its data");
    const auto b = static_cast<uint8_t>(data[pos++]);
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("a varint longer than 10 bytes");
}

const Struct& Value::as_struct() const {
  if (kind != Kind::Struct || !fields) throw std::runtime_error("thrift: a struct was expected");
  return *fields;
}

std::optional<int64_t> get_int(const Struct& s, int16_t id) {
  const auto it = s.find(id);
  if (it == s.end()) return std::nullopt;
  if (it->second.kind != Value::Kind::Int && it->second.kind != Value::Kind::Bool) wrong_kind(id, "an integer");
  return it->second.i;
}

const std::string* get_binary(const Struct& s, int16_t id) {
  const auto it = s.find(id);
  if (it == s.end()) return nullptr;
  if (it->second.kind != Value::Kind::Binary) wrong_kind(id, "a string");
  return &it->second.bytes;
}

const std::vector<Value>* get_list(const Struct& s, int16_t id) {
  const auto it = s.find(id);
  if (it == s.end()) return nullptr;
  if (it->second.kind != Value::Kind::List) wrong_kind(id, "a list");
  return &it->second.list;
}

const Struct* get_struct(const Struct& s, int16_t id) {
  const auto it = s.find(id);
  if (it == s.end()) return nullptr;
  return &it->second.as_struct();
}

Struct read_struct(std::string_view data, size_t& pos) {
  Reader r(data, pos);
  Struct s = r.fields(0);
  pos = r.pos();
  return s;
}

}  // namespace aha::thrift
