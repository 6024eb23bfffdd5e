namespace Chas.Cli;

/// <summary>Plain, left-aligned columns separated by three spaces, as docker and kubectl print them: easy to read and to grep.</summary>
internal static class TableWriter
{
    /// <summary>Writes the table and returns its column widths, so rows printed later (watch mode) line up with it.</summary>
    public static int[] Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
            for (var i = 0; i < widths.Length; i++)
                widths[i] = Math.Max(widths[i], i < row.Count ? row[i].Length : 0);
        foreach (var row in all) WriteRow(output, widths, row);
        return widths;
    }

    /// <summary>One row padded to <paramref name="widths"/> (a longer cell just pushes the rest right).</summary>
    public static void WriteRow(TextWriter output, IReadOnlyList<int> widths, IReadOnlyList<string> row)
    {
        var cells = Enumerable.Range(0, widths.Count).Select(i =>
        {
            var cell = i < row.Count ? row[i] : "";
            return i == widths.Count - 1 ? cell : cell.PadRight(widths[i]);
        });
        output.WriteLine(string.Join("   ", cells).TrimEnd());
    }
}
