// The artifact is built, runs and generates, but its perplexity is above the configured limit.
def log = new File(basedir, 'build.log').text
assert log.contains('rotquant: generated: ')
assert log.contains("more than rotquant.maxPplIncrease allows (1.0 %)")
