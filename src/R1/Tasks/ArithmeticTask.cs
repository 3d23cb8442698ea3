namespace R1.Tasks;

/// <summary>
/// Multi-digit arithmetic: 2-3 digit addition (40%), 2-3 digit subtraction with a positive result (35%),
/// 2-digit × 1-digit multiplication (25%). Carries and borrows make direct answers hard for a tiny model and
/// digit-by-digit work (<see cref="Traces"/>) easy. Prompt: "Q: 347+85=?\nA: ". Language "en".
/// </summary>
public sealed class ArithmeticTask : ITask
{
    public string Name => "arithmetic";

    public Example Generate(Rng rng, string id)
    {
        int roll = rng.NextInt(100);
        string kind; int a, b; char op;
        if (roll < 40) { kind = "add"; op = '+'; a = Operand(rng); b = Operand(rng); }
        else if (roll < 75)
        {
            kind = "sub"; op = '-';
            do { a = Operand(rng); b = Operand(rng); } while (a == b);
            if (a < b) (a, b) = (b, a);
        }
        else { kind = "mul"; op = '*'; a = rng.NextInt(12, 99); b = rng.NextInt(2, 9); }
        int answer = op switch { '+' => a + b, '-' => a - b, _ => a * b };
        return new Example(id, Name, "en", PromptTemplate.Format($"{a}{op}{b}=?"), answer.ToString(), kind, [a, b]);
    }

    public VerifyResult Verify(Example example, string completion) => Verifiers.Numeric(example, completion);

    // Half two-digit, half three-digit.
    static int Operand(Rng rng) => rng.Chance(0.5) ? rng.NextInt(10, 99) : rng.NextInt(100, 999);
}
