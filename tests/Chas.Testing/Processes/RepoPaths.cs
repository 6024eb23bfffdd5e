namespace Chas.Testing.Processes;

/// <summary>Where the checkout is, and the `chas` executable built into it by `./run.sh build`.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The directory holding chas.slnx, found by walking up from the test assembly.</summary>
    public static string Root => RootPath.Value;

    /// <summary>bin/chas; the tests run the product exactly as a user would, so it has to be built first.</summary>
    public static string ChasExecutable
    {
        get
        {
            var path = Path.Combine(Root, "bin", "chas");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} does not exist: run ./run.sh build first");
            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "chas.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no chas.slnx above {AppContext.BaseDirectory}: the tests must run inside the checkout");
    }
}
