// Every test class starts real `chas` processes against the one Docker engine of a small machine:
// running classes side by side would only make them slower and their timings flakier.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
