/** Exit status of `cexbar panel` for a refusal that trying again cannot cure. */
export const EXIT_PANEL_REFUSED = 3;

/** Exit status of any command used wrongly. */
export const EXIT_USAGE = 2;
