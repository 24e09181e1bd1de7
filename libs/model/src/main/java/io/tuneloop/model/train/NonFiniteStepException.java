package io.tuneloop.model.train;

/**
 * A step whose loss or gradient norm is not a finite number: it is not applied (the optimizer never
 * sees it), and the run fails with this reason instead of silently training on NaN.
 */
public class NonFiniteStepException extends ArithmeticException {
    public NonFiniteStepException(String what, double value) {
        super("the step's " + what + " is " + value + "; it was not applied (check the learning rate, the data and"
                + " the precision)");
    }
}
