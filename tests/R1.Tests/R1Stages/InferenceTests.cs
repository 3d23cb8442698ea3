using System.Numerics;
using R1.Inference;
using R1.Tasks;

namespace R1.Tests.R1Stages;

public class InferenceTests
{
    static readonly Example Add = new("a/0", "arithmetic", "en", PromptTemplate.Format("347+85=?"), "432", "add", [347, 85]);
    static readonly Example Make46 = new("c/0", "countdown", "en", PromptTemplate.Format("make 46 from 3 7 25"), "25+3*7", "n3", [3, 7, 25], 46);

    static string A(string answer) => $"<think>work</think><answer>{answer}</answer>";

    static BigInteger Choose(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        BigInteger r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    [Fact]
    public void PassAtKMatchesTheCombinatorialFormula()
    {
        Assert.Equal(0.7, PassAtK.Estimate(5, 2, 2), 12);             // 1 − C(3,2)/C(5,2) = 1 − 3/10
        Assert.Equal(0.4, PassAtK.Estimate(5, 2, 1), 12);             // pass@1 = c/n
        Assert.Equal(1.0, PassAtK.Estimate(5, 4, 2));                 // n − c < k: every pair holds a correct one
        Assert.Equal(0.0, PassAtK.Estimate(5, 0, 3));
        for (int n = 1; n <= 14; n++)
            for (int c = 0; c <= n; c++)
                for (int k = 1; k <= n; k++)
                {
                    double exact = 1.0 - (double)Choose(n - c, k) / (double)Choose(n, k);
                    Assert.Equal(exact, PassAtK.Estimate(n, c, k), 12);
                }
        // large n: no overflow, stays a probability; 1 − C(900,64)/C(1000,64) ≈ 1 − 0.9^64·(small correction)
        double big = PassAtK.Estimate(1000, 100, 64);
        Assert.InRange(big, 1 - Math.Pow(0.9, 64), 1.0);
    }

    [Fact]
    public void PassAtKValidatesAndAverages()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 5, 1));
        Assert.Contains("at least k samples", Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 1, 5)).Message);
        Assert.Equal((0.7 + 1.0) / 2, PassAtK.Mean([[true, false, true, false, false], [true, true]], 2), 12);
    }

    [Fact]
    public void MajorityBreaksTiesByFirstAppearance()
    {
        var v = Voting.Majority(["7", null, "5", "5", "7", null]);
        Assert.Equal(new Vote("7", 0, 2, 4), v);                     // 7 and 5 tie at 2; 7 came first
        Assert.Equal(new Vote("5", 1, 3, 4), Voting.Majority(["7", "5", "5", "5"]));
        Assert.Equal(new Vote(null, -1, 0, 0), Voting.Majority([null, null]));
    }

    [Fact]
    public void AnswerKeysNormaliseEqualAnswers()
    {
        Assert.Equal(Voting.AnswerKey(Add, A("432")), Voting.AnswerKey(Add, A("432.0")));
        Assert.Equal(Voting.AnswerKey(Add, A("1,234")), Voting.AnswerKey(Add, A("１２３４")));
        Assert.Null(Voting.AnswerKey(Add, "<think>432</think>"));
        Assert.Null(Voting.AnswerKey(Add, A("")));
        Assert.Equal("12 or 13", Voting.AnswerKey(Add, A("12 or 13")));
        // Countdown: equations over the given numbers vote for their value; others vote as text
        Assert.Equal("=46", Voting.AnswerKey(Make46, A("25+3*7")));
        Assert.Equal("=46", Voting.AnswerKey(Make46, A("7 * 3 + 25 = 46")));
        Assert.Equal("=29", Voting.AnswerKey(Make46, A("25+7-3")));
        Assert.Equal("25+21", Voting.AnswerKey(Make46, A("25 + 21")));
    }

    [Fact]
    public void MajAtKVotesInDisjointBlocks()
    {
        // k = 3: block 1 = 432, 431, 432 → 432 (right); block 2 = 431, 431, 432 → 431 (wrong); the 7th sample is unused.
        string[] samples = [A("432"), A("431"), A("432"), A("431"), A("431"), A("432"), A("432")];
        Assert.Equal(0.5, Voting.MajAtK(Add, samples, 3));
        Assert.Equal(4 / 7.0, Voting.MajAtK(Add, samples, 1), 12);   // maj@1 = pass@1
        Assert.Equal(0.0, Voting.MajAtK(Add, [A("431"), "no answer", "no answer", A("432")[..5]], 4));
        // Countdown: two different right equations outvote one repeated wrong one
        Assert.Equal(1.0, Voting.MajAtK(Make46, [A("3+7"), A("25+3*7"), A("3+7"), A("7*3+25"), A("25+7*3")], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Voting.MajAtK(Add, samples, 8));
    }

    [Fact]
    public void BestOfNPicksTheTopScoreEarliestOnTies()
    {
        Assert.Equal(1, BestOfN.Select([0.1, 0.9, 0.9, 0.2]));
        Assert.Throws<ArgumentException>(() => BestOfN.Select([0.1, double.NaN]));
        Assert.Equal(2, BestOfN.ByVerifier(Add, [A("1"), A("2"), A("432"), A("432")]));
        Assert.Equal(0, BestOfN.ByVerifier(Add, [A("1"), A("2")]));
        // two blocks of 2: the scorer picks 431 in block 1 (wrong), 432 in block 2 (right)
        string[] c = [A("432"), A("431"), A("432"), A("430")];
        Assert.Equal(0.5, BestOfN.AtK(Add, c, [0.2, 0.7, 0.5, 0.1], 2));
        Assert.Equal(0.0, BestOfN.AtK(Add, c, [0.2, 0.7, 0.5, 0.1], 4));   // one block: 0.7 wins, 431 is wrong
    }
}
