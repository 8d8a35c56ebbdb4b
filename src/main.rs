fn main() -> std::process::ExitCode {
    keyhole::run()
}
