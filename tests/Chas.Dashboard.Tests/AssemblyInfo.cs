// One Chromium and real `chas dev` processes on a small machine: classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
