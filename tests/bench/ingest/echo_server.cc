// echo_server: the transport's limit for the ingest benchmark: the echo
// service (echo_service.h) on a port.
//
//   echo_server --listen 127.0.0.1:0 --port-file F   (SIGINT/SIGTERM stops it)
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tests/bench/ingest/echo_service.h"

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  CLI::App app{"unitclock ingest benchmark: echo service"};
  app.add_option("--listen", listen, "Address to serve on (port 0 picks a free port)");
  app.add_option("--port-file", port_file, "Write the bound port to this file once serving");
  CLI11_PARSE(app, argc, argv);

  // Blocked before gRPC starts its threads, so that sigwait below gets them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  unitclock::bench::EchoService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "echo_server: cannot listen on " << listen << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cerr << "echo_server: serving on port " << port << "\n";
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown(std::chrono::system_clock::now());
  return 0;
}
