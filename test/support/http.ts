/** Parsed JSON body of a response, typed loosely on purpose: the assertions that follow check its shape. */

export const json = (res: Response): Promise<any> => res.json();
