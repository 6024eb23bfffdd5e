// Every test starts PostgreSQL, three `chas server`s and agents on one small machine's Docker engine, then
// breaks one of them: side by side they would only slow each other and blur what each fault did.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
