namespace Chas.Cli;

/// <summary>Plain, left-aligned columns separated by three spaces, as docker and kubectl print them: easy to read and to grep.</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
            for (var i = 0; i < widths.Length; i++)
                widths[i] = Math.Max(widths[i], i < row.Count ? row[i].Length : 0);
        foreach (var row in all)
        {
            var cells = Enumerable.Range(0, widths.Length).Select(i =>
            {
                var cell = i < row.Count ? row[i] : "";
                return i == widths.Length - 1 ? cell : cell.PadRight(widths[i]);
            });
            output.WriteLine(string.Join("   ", cells).TrimEnd());
        }
    }
}
