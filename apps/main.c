/* sdrnet command line (being written). */
#include <stdio.h>
int main(void)
{
    puts("sdrnet");
    return 0;
}
