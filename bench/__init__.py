"""Teten's benchmarks (``make bench``): fan-out, many rooms, pages and memory, on the
production setup and against a bare baseline. Not part of the test run; see bench/README.md."""
