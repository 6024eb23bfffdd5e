using Chas.Ingress.LoadBalancing;

namespace Chas.Ingress.Tests;

public sealed class WeightedPolicyTests
{
    private sealed record Candidate(string Id, double Weight);

    private static Dictionary<string, int> Pick(SmoothWeightedRoundRobin wrr, IReadOnlyList<Candidate> candidates, int n) =>
        Enumerable.Range(0, n).Select(_ => wrr.Next(candidates, c => c.Weight, c => c.Id).Id)
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Picks_follow_the_weights_exactly_and_interleave()
    {
        var wrr = new SmoothWeightedRoundRobin();
        Candidate[] candidates = [new("a", 30), new("b", 30), new("c", 30), new("canary", 10)];

        var counts = Pick(wrr, candidates, 1000);

        Assert.Equal(300, counts["a"]);
        Assert.Equal(100, counts["canary"]);
        // Smooth: the canary never gets two in a row.
        var sequence = Enumerable.Range(0, 100).Select(_ => wrr.Next(candidates, c => c.Weight, c => c.Id).Id).ToList();
        Assert.DoesNotContain(sequence.Zip(sequence.Skip(1)), p => p is ("canary", "canary"));
    }

    [Fact]
    public void Zero_weights_are_skipped_unless_everything_weighs_zero()
    {
        var wrr = new SmoothWeightedRoundRobin();
        Assert.Equal(100, Pick(wrr, [new("a", 1), new("drained", 0)], 100)["a"]);
        var even = Pick(wrr, [new("x", 0), new("y", 0)], 100);
        Assert.Equal(50, even["x"]);
        Assert.Equal(50, even["y"]);
    }

    [Fact]
    public void A_candidate_that_leaves_and_comes_back_does_not_starve_the_others()
    {
        var wrr = new SmoothWeightedRoundRobin();
        Pick(wrr, [new("a", 1), new("b", 1)], 10);
        Assert.Equal(10, Pick(wrr, [new("a", 1)], 10)["a"]);
        var counts = Pick(wrr, [new("a", 1), new("b", 1)], 10);
        Assert.Equal(5, counts["a"]);
        Assert.Equal(5, counts["b"]);
    }
}
