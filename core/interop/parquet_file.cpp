#include "core/interop/parquet_file.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "core/interop/thrift_compact.h"

namespace aha {

namespace {

using thrift::get_binary;
using thrift::get_int;
using thrift::get_list;
using thrift::get_struct;

// parquet.thrift's enums, as far as they are read here.
enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLen = 7 };
enum Encoding { Plain = 0, PlainDictionary = 2, Rle = 3, RleDictionary = 8 };
enum Codec { Uncompressed = 0, Snappy = 1, Gzip = 2, Zstd = 6 };
enum PageType { DataPage = 0, DictionaryPage = 2, DataPageV2 = 3 };

const char* encoding_name(int64_t e) {
  static const char* names[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
                                "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
  return e >= 0 && e < 10 ? names[e] : "an unknown encoding";
}

const char* codec_name(int64_t c) {
  static const char* names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
  return c >= 0 && c < 8 ? names[c] : "an unknown codec";
}

// Bytes of a page, read from the front.
class Cursor {
 public:
  explicit Cursor(std::string_view d) : d_(d) {}
  bool done() const { return pos_ >= d_.size(); }
  size_t left() const { return d_.size() - pos_; }
  std::string_view take(size_t n) {
    if (n > left()) throw std::runtime_error("a page ends before its values");
    const auto out = d_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  uint8_t byte() { return static_cast<uint8_t>(take(1)[0]); }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4).data(), 4);
    return v;
  }
  uint64_t varint() { return thrift::read_varint(d_, pos_); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

// The RLE / bit-packed hybrid: definition levels and dictionary indices.
std::vector<uint32_t> read_hybrid(Cursor& in, int bit_width, size_t count) {
  if (bit_width < 0 || bit_width > 32) throw std::runtime_error("a bit width of " + std::to_string(bit_width));
  std::vector<uint32_t> out;
  out.reserve(count);
  const size_t value_bytes = (bit_width + 7) / 8;
  while (out.size() < count) {
    const uint64_t header = in.varint();
    if (header & 1) {  // bit-packed: groups of 8 values, least significant bit first
      const uint64_t values = (header >> 1) * 8;
      const auto bytes = in.take(std::min<uint64_t>(in.left(), (values * bit_width + 7) / 8));
      uint64_t bit = 0;
      for (uint64_t k = 0; k < values && out.size() < count; ++k) {
        uint32_t v = 0;
        for (int b = 0; b < bit_width; ++b, ++bit) {
          if (bit / 8 >= bytes.size()) throw std::runtime_error("bit-packed values run past their page");
          v |= uint32_t((static_cast<uint8_t>(bytes[bit / 8]) >> (bit % 8)) & 1) << b;
        }
        out.push_back(v);
      }
    } else {  // a run of one value
      const uint64_t run = header >> 1;
      uint32_t v = 0;
      const auto bytes = in.take(value_bytes);
      for (size_t b = 0; b < value_bytes; ++b) v |= uint32_t(static_cast<uint8_t>(bytes[b])) << (8 * b);
      if (run == 0) throw std::runtime_error("an empty run");
      out.insert(out.end(), std::min<uint64_t>(run, count - out.size()), v);
    }
  }
  return out;
}

std::string decompress(std::string_view data, int64_t codec, size_t size) {
  std::string out(size, '\0');
  switch (codec) {
    case Uncompressed:
      return std::string(data);
    case Snappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(data.data(), data.size(), &n) || n != size ||
          !snappy::RawUncompress(data.data(), data.size(), out.data()))
        throw std::runtime_error("a Snappy page does not decompress");
      return out;
    }
    case Zstd: {
      const size_t n = ZSTD_decompress(out.data(), size, data.data(), data.size());
      if (ZSTD_isError(n) || n != size)
        throw std::runtime_error(std::string("a zstd page does not decompress: ") + ZSTD_getErrorName(n));
      return out;
    }
    case Gzip: {
      z_stream z{};
      if (inflateInit2(&z, 15 + 32) != Z_OK) throw std::runtime_error("zlib cannot start");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      z.avail_in = static_cast<uInt>(data.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(size);
      const int rc = inflate(&z, Z_FINISH);
      inflateEnd(&z);
      if (rc != Z_STREAM_END || z.total_out != size) throw std::runtime_error("a gzip page does not decompress");
      return out;
    }
    default:
      throw std::runtime_error(std::string("compressed with ") + codec_name(codec) +
                               " (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
  }
}

// A leaf column of the schema and where its values go.
struct Leaf {
  std::string name;
  int64_t type = 0;
  bool optional = false;
};

// Values decoded from PLAIN bytes into the column (numbers or texts).
class ColumnBuilder {
 public:
  ColumnBuilder(const Leaf& leaf, ParquetColumn& col) : leaf_(leaf), col_(col) {}

  void plain(Cursor& in, size_t count, std::vector<double>& nums, std::vector<std::string>& texts) const {
    for (size_t k = 0; k < count; ++k) {
      switch (leaf_.type) {
        case Boolean: {
          if (k % 8 == 0) bits_ = in.byte();
          nums.push_back((bits_ >> (k % 8)) & 1);
          break;
        }
        case Int32: {
          int32_t v;
          std::memcpy(&v, in.take(4).data(), 4);
          nums.push_back(v);
          break;
        }
        case Int64: {
          int64_t v;
          std::memcpy(&v, in.take(8).data(), 8);
          nums.push_back(static_cast<double>(v));
          break;
        }
        case Float: {
          float v;
          std::memcpy(&v, in.take(4).data(), 4);
          nums.push_back(v);
          break;
        }
        case Double: {
          double v;
          std::memcpy(&v, in.take(8).data(), 8);
          nums.push_back(v);
          break;
        }
        case ByteArray:
          texts.emplace_back(in.take(in.u32()));
          break;
        default:
          throw std::runtime_error("values of physical type " + std::to_string(leaf_.type) +
                                   " (supported: BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY)");
      }
    }
  }

  void dictionary_page(Cursor& in, size_t count) { plain(in, count, dict_nums_, dict_texts_); }

  // One data page's values: `defs` (empty for a required column) says which rows have one.
  void data_page(Cursor& values, int64_t encoding, const std::vector<uint32_t>& defs, size_t rows) {
    size_t present = rows;
    if (leaf_.optional) {
      present = 0;
      for (const auto d : defs) present += d == 1;
    }
    std::vector<double> nums;
    std::vector<std::string> texts;
    if (encoding == Plain) {
      plain(values, present, nums, texts);
    } else if (encoding == PlainDictionary || encoding == RleDictionary) {
      const int width = values.byte();
      const auto idx = present ? read_hybrid(values, width, present) : std::vector<uint32_t>{};
      const size_t dict_size = leaf_.type == ByteArray ? dict_texts_.size() : dict_nums_.size();
      for (const auto i : idx) {
        if (i >= dict_size) throw std::runtime_error("a dictionary index past the dictionary");
        if (leaf_.type == ByteArray) texts.push_back(dict_texts_[i]);
        else nums.push_back(dict_nums_[i]);
      }
    } else {
      throw std::runtime_error(std::string("values encoded as ") + encoding_name(encoding) +
                               " (supported: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY)");
    }
    size_t next = 0;
    for (size_t r = 0; r < rows; ++r) {
      const bool has = !leaf_.optional || defs[r] == 1;
      col_.present.push_back(has);
      if (col_.kind == ParquetColumn::Kind::Text) col_.texts.push_back(has ? std::move(texts[next]) : std::string());
      else col_.numbers.push_back(has ? nums[next] : std::numeric_limits<double>::quiet_NaN());
      next += has;
    }
  }

 private:
  const Leaf& leaf_;
  ParquetColumn& col_;
  mutable uint8_t bits_ = 0;
  std::vector<double> dict_nums_;
  std::vector<std::string> dict_texts_;
};

void read_column_chunk(std::string_view file, const thrift::Struct& meta, const Leaf& leaf, ParquetColumn& col) {
  const int64_t codec = get_int(meta, 4).value_or(0);
  const int64_t num_values = get_int(meta, 5).value_or(0);
  const auto data_offset = get_int(meta, 9);
  const auto dict_offset = get_int(meta, 11);
  if (!data_offset) throw std::runtime_error("a column chunk without its data page offset");
  // Some writers store 0 for "no dictionary page".
  size_t pos = static_cast<size_t>(dict_offset && *dict_offset > 0 ? std::min(*dict_offset, *data_offset) : *data_offset);
  ColumnBuilder builder(leaf, col);
  int64_t seen = 0;
  while (seen < num_values) {
    if (pos >= file.size()) throw std::runtime_error("a column chunk runs past the end of the file");
    const auto header = thrift::read_struct(file, pos);
    const int64_t type = get_int(header, 1).value_or(-1);
    const auto raw_size = get_int(header, 2), packed_size = get_int(header, 3);
    if (!raw_size || !packed_size || *packed_size < 0 || *raw_size < 0 ||
        static_cast<uint64_t>(*packed_size) > file.size() - pos)
      throw std::runtime_error("a page header with sizes that do not fit the file");
    const std::string_view body = file.substr(pos, *packed_size);
    pos += *packed_size;
    if (type == DictionaryPage) {
      const auto* h = get_struct(header, 7);
      if (!h) throw std::runtime_error("a dictionary page without its header");
      const auto enc = get_int(*h, 2).value_or(Plain);
      if (enc != Plain && enc != PlainDictionary)
        throw std::runtime_error(std::string("a dictionary encoded as ") + encoding_name(enc));
      const std::string bytes = decompress(body, codec, *raw_size);
      Cursor in(bytes);
      builder.dictionary_page(in, get_int(*h, 1).value_or(0));
    } else if (type == DataPage) {
      const auto* h = get_struct(header, 5);
      if (!h) throw std::runtime_error("a data page without its header");
      const auto rows = static_cast<size_t>(get_int(*h, 1).value_or(0));
      const std::string bytes = decompress(body, codec, *raw_size);
      Cursor in(bytes);
      std::vector<uint32_t> defs;
      if (leaf.optional) {
        if (get_int(*h, 3).value_or(Rle) != Rle)
          throw std::runtime_error(std::string("definition levels encoded as ") + encoding_name(*get_int(*h, 3)));
        Cursor levels(in.take(in.u32()));
        defs = read_hybrid(levels, 1, rows);
      }
      builder.data_page(in, get_int(*h, 2).value_or(Plain), defs, rows);
      seen += rows;
    } else if (type == DataPageV2) {
      const auto* h = get_struct(header, 8);
      if (!h) throw std::runtime_error("a v2 data page without its header");
      const auto rows = static_cast<size_t>(get_int(*h, 1).value_or(0));
      const auto def_bytes = static_cast<size_t>(get_int(*h, 5).value_or(0));
      const auto rep_bytes = static_cast<size_t>(get_int(*h, 6).value_or(0));
      if (def_bytes + rep_bytes > body.size()) throw std::runtime_error("a v2 page's levels are longer than the page");
      std::vector<uint32_t> defs;  // levels come first and are never compressed
      if (leaf.optional) {
        Cursor levels(body.substr(rep_bytes, def_bytes));
        defs = read_hybrid(levels, 1, rows);
      }
      const auto rest = body.substr(rep_bytes + def_bytes);
      const bool compressed = get_int(*h, 7).value_or(1) != 0;
      const std::string bytes =
          compressed ? decompress(rest, codec, *raw_size - def_bytes - rep_bytes) : std::string(rest);
      Cursor in(bytes);
      builder.data_page(in, get_int(*h, 4).value_or(Plain), defs, rows);
      seen += rows;
    }  // index pages and unknown kinds: skipped
  }
}

std::string read_whole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + file.string() + "'");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

const ParquetColumn* ParquetTable::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

ParquetTable read_parquet(const std::filesystem::path& path) {
  const std::string bytes = read_whole(path);
  const std::string_view file(bytes);
  const auto where = [&](const std::string& what) { return std::runtime_error(path.string() + ": " + what); };
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1")
    throw where("not a Parquet file (no PAR1 at its start and end; cut short while being written?)");
  uint32_t footer_size;
  std::memcpy(&footer_size, file.data() + file.size() - 8, 4);
  if (footer_size > file.size() - 12) throw where("its footer is longer than the file");
  ParquetTable table;
  std::vector<Leaf> leaves;  // the flat columns, in schema order
  std::vector<int> column_of;  // per leaf of the schema: its index in table.columns, -1 when skipped
  thrift::Struct meta;
  try {
    size_t pos = file.size() - 8 - footer_size;
    meta = thrift::read_struct(file, pos);
  } catch (const std::exception& e) {
    throw where(std::string("its footer cannot be read: ") + e.what());
  }
  const auto* schema = get_list(meta, 2);
  if (!schema || schema->empty()) throw where("no schema in its footer");
  table.rows = get_int(meta, 3).value_or(0);
  // The root's children: a leaf (no children) is a column; a group is nested, skipped
  // with all its descendants.
  size_t i = 1;
  while (i < schema->size()) {
    const auto& e = (*schema)[i].as_struct();
    const std::string name = get_binary(e, 4) ? *get_binary(e, 4) : "?";
    const int64_t children = get_int(e, 5).value_or(0);
    const int64_t repetition = get_int(e, 3).value_or(0);
    if (children > 0 || repetition == 2) {
      table.skipped.push_back(name + ": nested (a list or struct); not read");
      // Skip the group's subtree and count its leaves, whose chunks are skipped too.
      int64_t pending = children;
      ++i;
      while (pending > 0 && i < schema->size()) {
        const auto& sub = (*schema)[i].as_struct();
        const int64_t n = get_int(sub, 5).value_or(0);
        if (n == 0) column_of.push_back(-1);
        pending += n - 1;
        ++i;
      }
      if (children == 0) column_of.push_back(-1);  // a repeated leaf
      continue;
    }
    const int64_t type = get_int(e, 1).value_or(-1);
    if (type == Int96 || type == FixedLen || type < 0) {
      table.skipped.push_back(name + ": physical type " + std::to_string(type) + " (timestamps, decimals); not read");
      column_of.push_back(-1);
    } else {
      column_of.push_back(static_cast<int>(table.columns.size()));
      leaves.push_back({name, type, repetition == 1});
      ParquetColumn col;
      col.name = name;
      col.kind = type == ByteArray ? ParquetColumn::Kind::Text : ParquetColumn::Kind::Number;
      table.columns.push_back(std::move(col));
    }
    ++i;
  }
  const auto* groups = get_list(meta, 4);
  if (!groups) return table;
  for (const auto& g : *groups) {
    const auto* chunks = get_list(g.as_struct(), 1);
    if (!chunks || chunks->size() != column_of.size())
      throw where("a row group whose columns do not match the schema");
    for (size_t k = 0; k < chunks->size(); ++k) {
      if (column_of[k] < 0) continue;
      const auto* meta_data = get_struct((*chunks)[k].as_struct(), 3);
      if (!meta_data) throw where("column '" + leaves[column_of[k]].name + "' has no metadata (in another file?)");
      try {
        read_column_chunk(file, *meta_data, leaves[column_of[k]], table.columns[column_of[k]]);
      } catch (const std::exception& e) {
        throw where("column '" + leaves[column_of[k]].name + "': " + e.what());
      }
    }
  }
  for (const auto& c : table.columns)
    if (static_cast<int64_t>(c.present.size()) != table.rows)
      throw where("column '" + c.name + "' has " + std::to_string(c.present.size()) + " values for " +
                  std::to_string(table.rows) + " rows");
  return table;
}

}  // namespace aha
