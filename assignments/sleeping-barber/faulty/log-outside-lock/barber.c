/*
 * sleeping-barber: the barber process.
 *
 * The mutex protects the shared variables; the log lines are written after
 * the mutex is released (see customer.c).
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

void barber_run(struct shop *shop)
{
    srandom((unsigned)time(NULL) ^ ((unsigned)getpid() << 16));

    for (;;) {
        shop_lock(shop);
        if (shop->waiting == 0) {
            if (shop->closing) {
                shop_unlock(shop);
                log_action(shop, 0, "goes home");
                exit(0);
            }
            shop->barber_asleep = true;
            shop_unlock(shop);
            log_action(shop, 0, "sleeps");

            wait_sem(&shop->barber_wake, "sem_wait(barber_wake)");

            shop_lock(shop);
            if (shop->barber_asleep) {
                shop->barber_asleep = false;
                shop_unlock(shop);
                log_action(shop, 0, "goes home");
                exit(0);
            }
            shop_unlock(shop);
            log_action(shop, 0, "wakes");
        } else {
            shop_unlock(shop);
        }

        post_sem(&shop->next_customer, "sem_post(next_customer)");
        wait_sem(&shop->customer_seated, "sem_wait(customer_seated)");
        log_action(shop, 0, "cuts hair");
        sleep_random_us(shop->max_haircut_us);
        log_action(shop, 0, "finishes");
        post_sem(&shop->haircut_done, "sem_post(haircut_done)");
        wait_sem(&shop->customer_gone, "sem_wait(customer_gone)");
    }
}
