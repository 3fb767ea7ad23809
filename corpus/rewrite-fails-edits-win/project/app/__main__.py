"""A tiny application whose one dependency is a wheel vendored in wheels/, installed with --find-links."""
import dockerfix_corpus_vendored

print("app is up:", dockerfix_corpus_vendored.GREETING)
