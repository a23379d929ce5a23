// Awaiting a LinkService commit from a connection's coroutine: the writer
// thread's callback is posted back to the coroutine's own executor.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "links/link_service.h"

namespace shortlink::admin {

inline boost::asio::awaitable<std::vector<MutationResult>> AsyncSubmit(
    LinkService& service, std::vector<Mutation> mutations) {
  namespace asio = boost::asio;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::vector<MutationResult>)>(
      [&service](auto handler, std::vector<Mutation> mutations) {
        // std::function needs a copyable callable; the handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        service.Submit(std::move(mutations), [shared](std::vector<MutationResult> results) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, results = std::move(results)]() mutable {
            (*shared)(std::move(results));
          });
        });
      },
      asio::use_awaitable, std::move(mutations));
}

}  // namespace shortlink::admin
