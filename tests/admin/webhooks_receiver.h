// A webhook receiver for tests: plain HTTP on 127.0.0.1, one thread, one
// request per connection (the sender asks Connection: close). It records
// every request and answers each with the status `answer` gives.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shortlink::testing {

class WebhookReceiver {
 public:
  using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

  // `port` 0: any free port.
  explicit WebhookReceiver(
      unsigned short port = 0, std::function<int(size_t nth)> answer = [](size_t) { return 200; })
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), port}),
        answer_(std::move(answer)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the blocking accept with a connection of our own.
    boost::asio::ip::tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      HttpRequest req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      size_t nth;
      {
        std::lock_guard lock(mu_);
        nth = requests_.size();
        requests_.push_back(req);
      }
      http::response<http::string_body> res{static_cast<http::status>(answer_(nth)), 11};
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::function<int(size_t)> answer_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

}  // namespace shortlink::testing
