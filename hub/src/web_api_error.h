// Private: what the web API's handlers return instead of a body: an HTTP status and the message
// of the JSON error body (`{"error": message}`, docs/hub-api.md "Errors").
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace touchpoint::hub::web {

struct ApiError {
  int status = 400;
  std::string message;  // what and where, e.g. "from: not a date (2026-13-01)"
};

// A value or an ApiError.
template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const ApiError& error() const { return std::get<ApiError>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

inline ApiError BadRequest(std::string m) { return {400, std::move(m)}; }
inline ApiError Unauthorized(std::string m) { return {401, std::move(m)}; }
inline ApiError Forbidden(std::string m) { return {403, std::move(m)}; }
inline ApiError NotFoundError(std::string m) { return {404, std::move(m)}; }
inline ApiError TooMany(std::string m) { return {429, std::move(m)}; }
inline ApiError ServerError(std::string m) { return {500, std::move(m)}; }

}  // namespace touchpoint::hub::web
