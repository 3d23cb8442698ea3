using R1.Inference;
using R1.Tasks;

namespace R1.Tests.Inference;

public class SubsetEstimatorsTests
{
    static readonly Example Add = new("a/0", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);

    static string A(string answer) => $"<think>work</think><answer>{answer}</answer>";

    [Fact]
    public void ChooseIsTheBinomialCoefficient()
    {
        Assert.Equal(10, SubsetEstimators.Choose(5, 2));
        Assert.Equal(1, SubsetEstimators.Choose(7, 0));
        Assert.Equal(0, SubsetEstimators.Choose(3, 4));
        Assert.Equal(0, SubsetEstimators.Choose(3, -1));
        Assert.Equal(1832624140942590534.0, SubsetEstimators.Choose(64, 32), 1e-12 * 1832624140942590534.0);
    }

    [Fact]
    public void MajAtKHandComputed()
    {
        // Samples A, A, B with A correct. k = 1: 2/3. k = 2: {A,A} wins, {A,B} twice is a tie worth 1/2 → (1 + ½ + ½)/3.
        // k = 3: A has 2 of 3 votes.
        (int, bool)[] ab = [(2, true), (1, false)];
        Assert.Equal(2.0 / 3, SubsetEstimators.MajAtK(ab, 0, 1), 12);
        Assert.Equal(2.0 / 3, SubsetEstimators.MajAtK(ab, 0, 2), 12);
        Assert.Equal(1.0, SubsetEstimators.MajAtK(ab, 0, 3), 12);
        // Samples A, B, B with A correct: k = 2 → {A,B} twice ties (½ each), {B,B} loses → 1/3; k = 3 → B wins.
        (int, bool)[] abb = [(1, true), (2, false)];
        Assert.Equal(1.0 / 3, SubsetEstimators.MajAtK(abb, 0, 2), 12);
        Assert.Equal(0.0, SubsetEstimators.MajAtK(abb, 0, 3), 12);
        // A (correct) and two abstentions: k = 2 → {A,∅} twice wins, {∅,∅} has no answer → 2/3.
        Assert.Equal(2.0 / 3, SubsetEstimators.MajAtK([(1, true)], 2, 2), 12);
        // A, B, C all different, A correct, k = 3: a three-way tie → 1/3.
        Assert.Equal(1.0 / 3, SubsetEstimators.MajAtK([(1, true), (1, false), (1, false)], 0, 3), 12);
        // No correct answer: 0 for every k.
        Assert.Equal(0.0, SubsetEstimators.MajAtK([(3, false), (1, false)], 1, 4));
    }

    [Fact]
    public void MajAtOneIsTheShareOfCorrectSamples()
    {
        Assert.Equal(3.0 / 10, SubsetEstimators.MajAtK([(3, true), (4, false), (1, false)], 2, 1), 12);
    }

    /// <summary>Independent reference: enumerate every k-subset of sample indices, vote, split ties evenly.</summary>
    static double BruteForceMajAtK(int[] answerOfSample, bool[] correctAnswer, int k)
    {
        int n = answerOfSample.Length;
        double right = 0;
        int subsets = 0;
        for (int mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
            subsets++;
            var votes = new int[correctAnswer.Length];
            for (int i = 0; i < n; i++) if ((mask >> i & 1) == 1 && answerOfSample[i] >= 0) votes[answerOfSample[i]]++;
            int top = votes.Max();
            if (top == 0) continue;
            var winners = Enumerable.Range(0, votes.Length).Where(a => votes[a] == top).ToList();
            right += winners.Count(a => correctAnswer[a]) / (double)winners.Count;
        }
        return right / subsets;
    }

    [Fact]
    public void MajAtKEqualsTheAverageOverEveryKSubset()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 60; trial++)
        {
            int n = rng.Next(1, 12), answers = rng.Next(1, 5);
            var of = Enumerable.Range(0, n).Select(_ => rng.Next(-1, answers)).ToArray();   // −1 = no answer
            var correct = Enumerable.Range(0, answers).Select(a => a == 0 || rng.Next(4) == 0).ToArray();   // sometimes two correct answers
            var grouped = Enumerable.Range(0, answers).Where(a => of.Contains(a)).Select(a => (of.Count(x => x == a), correct[a])).ToList();
            int abstained = of.Count(x => x < 0);
            for (int k = 1; k <= n; k++)
                Assert.Equal(BruteForceMajAtK(of, correct, k), SubsetEstimators.MajAtK(grouped, abstained, k), 12);
        }
    }

    [Fact]
    public void MajAtKOfCompletionsGroupsByAnswerKey()
    {
        // 432 twice (once written "432.0"), 430 once, one sample without an answer block: groups (2, ✓), (1, ✗), 1 abstention.
        // k = 2 over the 6 pairs: {432,432} 1, {432,430} ½ twice, {432,∅} 1 twice, {430,∅} 0 → 4/6.
        string[] completions = [A("432"), "<think>no answer</think>", A("430"), A("432.0")];
        Assert.Equal(4.0 / 6, SubsetEstimators.MajAtK(Add, completions, 2), 12);
        Assert.Equal(SubsetEstimators.MajAtK([(2, true), (1, false)], 1, 3), SubsetEstimators.MajAtK(Add, completions, 3), 12);
    }

    [Fact]
    public void BestOfKHandComputed()
    {
        // Scores 0.9 (wrong), 0.5 (right), 0.1 (right). k = 2: {0,1} → 0 ✗, {0,2} → 0 ✗, {1,2} → 1 ✓ = 1/3.
        double[] s = [0.9, 0.5, 0.1];
        bool[] c = [false, true, true];
        Assert.Equal(2.0 / 3, SubsetEstimators.BestOfK(s, c, 1), 12);
        Assert.Equal(1.0 / 3, SubsetEstimators.BestOfK(s, c, 2), 12);
        Assert.Equal(0.0, SubsetEstimators.BestOfK(s, c, 3), 12);
        // A score tie goes to the earlier sample, as BestOfN.Select: scores 1, 1, 0 → {0,1} picks 0 ✗, {0,2} 0 ✗, {1,2} 1 ✓.
        Assert.Equal(1.0 / 3, SubsetEstimators.BestOfK([1, 1, 0], [false, true, true], 2), 12);
        Assert.Equal(2.0 / 3, SubsetEstimators.BestOfK([1, 1, 0], [true, false, true], 2), 12);
    }

    [Fact]
    public void BestOfKEqualsTheAverageOfBestOfNSelectOverEveryKSubset()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 40; trial++)
        {
            int n = rng.Next(1, 11);
            var scores = Enumerable.Range(0, n).Select(_ => (double)rng.Next(4)).ToArray();   // small range: many ties
            var correct = Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0).ToArray();
            for (int k = 1; k <= n; k++)
            {
                double right = 0;
                int subsets = 0;
                for (int mask = 0; mask < 1 << n; mask++)
                {
                    if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                    var members = Enumerable.Range(0, n).Where(i => (mask >> i & 1) == 1).ToArray();
                    subsets++;
                    if (correct[members[BestOfN.Select(members.Select(i => scores[i]).ToList())]]) right++;
                }
                Assert.Equal(right / subsets, SubsetEstimators.BestOfK(scores, correct, k), 12);
            }
        }
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        Assert.Contains("k must be in [1, n = 3]", Assert.Throws<ArgumentOutOfRangeException>(() => SubsetEstimators.MajAtK([(2, true)], 1, 4)).Message);
        Assert.Throws<ArgumentException>(() => SubsetEstimators.MajAtK([(0, true)], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetEstimators.MajAtK([(1, true)], -1, 1));
        Assert.Contains("2 scores but 3 verdicts", Assert.Throws<ArgumentException>(() => SubsetEstimators.BestOfK([1, 2], [true, false, true], 1)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => SubsetEstimators.BestOfK([double.NaN], [true], 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetEstimators.BestOfK([1], [true], 2));
    }
}
